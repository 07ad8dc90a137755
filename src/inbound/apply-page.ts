/**
 * Apply one page of inbound rows in one transaction that is not captured back
 * (`sfsync.origin = 'salesforce'`), serialized per mapping by a transaction
 * advisory lock (primary polls, drift re-polls and reconciliation of one
 * mapping may run at once; their upserts must not race on the unique sfid).
 */
import type pg from 'pg';
import { APPLY_LOCK_CLASS } from '../db/locks.js';
import { withTransaction } from '../db/pool.js';
import type { InboundRow } from './record.js';
import { rowErrorJson } from './record.js';
import { attachByExternalIdSql, deferSql, deleteSql, externalIdField, insertSql, lockRowsSql, qualified, updateBySfidSql } from './apply-sql.js';
import { resolveConflicts, type ConflictResolution } from './apply-conflicts.js';
import { drainChanges, queueResend } from '../outbox/outbox.js';
import type { InboundMapping } from './inbound-mapping.js';

/** What one page did. */
export interface PageResult {
  /** Rows inserted, updated or deleted (no-ops excluded). */
  applied: number;
  /** Rows with a value that did not fit (marked failed). */
  failed: number;
}

/** Start an inbound transaction on `client`: not captured, serialized per mapping. */
export async function beginInbound(client: pg.PoolClient, mappingId: string): Promise<void> {
  await client.query("select set_config('sfsync.origin', 'salesforce', true), pg_advisory_xact_lock($1, $2::int)", [APPLY_LOCK_CLASS, mappingId]);
}

/**
 * Mark the open transaction as inbound (not captured) WITHOUT the apply lock:
 * reloads and reconciles download into staging this way, so the mapping's
 * polls keep applying meanwhile; they take {@link lockApply} only to merge.
 */
export async function beginUncaptured(client: pg.PoolClient): Promise<void> {
  await client.query("select set_config('sfsync.origin', 'salesforce', true)");
}

/** Take the mapping's apply lock inside the open transaction (released at commit/rollback). */
export async function lockApply(client: pg.PoolClient, mappingId: string): Promise<void> {
  await client.query('select pg_advisory_xact_lock($1, $2::int)', [APPLY_LOCK_CLASS, mappingId]);
}

/** Apply `rows` (one page) to the mapping's table. */
export async function applyPage(pool: pg.Pool, mapping: InboundMapping, rows: readonly InboundRow[]): Promise<PageResult> {
  if (rows.length === 0) return { applied: 0, failed: 0 };
  return withTransaction(pool, async (client) => {
    await beginInbound(client, mapping.id);
    await client.query('savepoint sfsync_page');
    try {
      return await applyRowsIn(client, mapping, rows);
    } catch (error) {
      if (!isDataError(error)) throw error;
      // A value Postgres refused although conversion accepted it (the column
      // differs from field_info): isolate the row(s) instead of failing the window.
      await client.query('rollback to savepoint sfsync_page');
      return applyOneByOne(client, mapping, rows);
    }
  });
}

/** SQLSTATE class 22 (data exception: too long, out of range, invalid format) or 23514 (check violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('22') || code === '23514';
}

async function applyOneByOne(client: pg.PoolClient, mapping: InboundMapping, rows: readonly InboundRow[]): Promise<PageResult> {
  const total: PageResult = { applied: 0, failed: 0 };
  for (const row of rows) {
    await client.query('savepoint sfsync_row');
    try {
      const result = await applyRowsIn(client, mapping, [row]);
      total.applied += result.applied;
      total.failed += result.failed;
    } catch (error) {
      if (!isDataError(error)) throw error;
      await client.query('rollback to savepoint sfsync_row');
      const e = error as { code?: string; message?: string };
      const failure = { code: `PG_${e.code ?? 'DATA'}`, message: `Postgres refused a value of this record: ${e.message ?? ''}`, source: 'salesforce' };
      await client.query(MARK_FAILED_SQL(mapping), [row.sfid, row.systemmodstamp, JSON.stringify(failure)]);
      total.failed++;
    }
  }
  return total;
}

const MARK_FAILED_SQL = (m: InboundMapping) => `
insert into ${qualified(m)} as t (sfid, systemmodstamp, _sfsync_state, _sfsync_error) values ($1, $2::timestamp(3), 'failed', $3::jsonb)
on conflict (sfid) do update set _sfsync_state = 'failed', _sfsync_error = excluded._sfsync_error`;

/** The records' External ID values (those they have), as text. */
function externalIdValues(rows: readonly InboundRow[], column: string): string[] {
  return rows.map((r) => r.values[column]).filter((v): v is string => v !== null && v !== undefined);
}

/** The page's statements, inside a transaction begun with {@link beginInbound}. */
export async function applyRowsIn(client: pg.PoolClient, mapping: InboundMapping, rows: readonly InboundRow[]): Promise<PageResult> {
  const deleting = mapping.deleteMode === 'delete' ? rows.filter((r) => r.isdeleted) : [];
  const upserting = mapping.deleteMode === 'delete' ? rows.filter((r) => !r.isdeleted) : [...rows];
  const externalId = externalIdField(mapping);
  const sfids = rows.map((r) => r.sfid);
  // Lock order (docs/architecture.md): every row the page touches, in id order, before any outbox row;
  // with an External ID, that includes the local rows the page attaches.
  if (mapping.mode === 'read_write') {
    await client.query(lockRowsSql(mapping), externalId ? [sfids, externalIdValues(upserting, externalId.column)] : [sfids]);
    // Inserts and updates are logged, not yet in the outbox (sfsync.outbox_logged): move them there,
    // read from the rows just locked, before anything below reads the page's unsent changes.
    await drainChanges(client, mapping.id);
  }
  // Attach before the conflict rules: a local row that is one of these records (sfid still null)
  // has open changes the rules must weigh; attached after them, its unsent values were overwritten
  // by Salesforce's and the row marked synced, whatever the policy.
  const attach = attachByExternalIdSql(mapping);
  if (attach && externalId && upserting.length > 0) {
    await client.query(attach, [JSON.stringify(upserting.map((r) => ({ sfid: r.sfid, [externalId.column]: r.values[externalId.column] ?? null })))]);
  }
  const { keep, resend }: ConflictResolution =
    mapping.mode === 'read_write' && upserting.length > 0 ? await resolveConflicts(client, mapping, upserting) : { keep: new Map(), resend: [] };
  let failed = 0;
  const records = upserting.map((row) => {
    const errorCols = row.errors.map((e) => e.field.toLowerCase());
    const pendingKeep = keep.get(row.sfid);
    if (row.errors.length > 0) failed++;
    return {
      ...row.values,
      sfid: row.sfid,
      systemmodstamp: row.systemmodstamp,
      isdeleted: row.isdeleted,
      createddate: row.createddate,
      _keep: [...errorCols, ...(pendingKeep ?? [])],
      // A row with open outbox rows keeps its state (the push owns it).
      _state: row.errors.length > 0 ? 'failed' : pendingKeep !== undefined ? null : 'synced',
      _error: row.errors.length > 0 ? rowErrorJson(row.errors) : null,
    };
  });
  const feed = mapping.feed ? { connectionId: mapping.connectionId, mappingId: mapping.id, sobject: mapping.sobject } : undefined;
  const count = (result: pg.QueryResult): number => (feed ? Number((result.rows[0] as { n: number }).n) : (result.rowCount ?? 0));
  let applied = 0;
  if (records.length > 0) {
    const json = JSON.stringify(records);
    applied += count(await client.query(updateBySfidSql(mapping, feed), [json]));
    const insert = insertSql(mapping, feed);
    applied += count(await client.query(insert, mapping.externalIdColumn ? [json] : [json, mapping.id]));
    // Records the insert held back for an unresolved local insert (insertSql) are remembered until they can go in.
    if (!mapping.externalIdColumn && mapping.mode === 'read_write') await client.query(deferSql(mapping), [json, mapping.id]);
    // After the update: the re-sends read Salesforce's values from the table (apply-conflicts.ts explains them).
    await queueResend(client, mapping.id, resend);
  }
  if (deleting.length > 0) {
    const json = JSON.stringify(deleting.map((r) => ({ sfid: r.sfid, systemmodstamp: r.systemmodstamp })));
    applied += count(await client.query(deleteSql(mapping, feed), [json]));
  }
  return { applied, failed };
}
