/**
 * Record a push round's outcomes in ONE transaction, with
 * `sfsync.origin = 'sfsync'` so the table updates are not captured again:
 * outbox rows → success/merged/failed, or back to 'new' with back-off;
 * the mapped rows → sfid, `_sfsync_state`, `_sfsync_error`; children's
 * `@<id>` lookups → the parent's sfid; children failed with PARENT_FAILED →
 * back to 'new' once their parent has an sfid; rows whose record Salesforce
 * deleted before their insert's Id came back → as an inbound delete leaves them.
 */
import pg from 'pg';
import { sql } from 'kysely';
import { PARENT_LOCK_CLASS } from '../db/locks.js';
import { run, sfsync } from '../db/typed-query.js';
import type { CoalescedChange } from './coalesce.js';
import { backoffMs } from './values.js';
import type { PushError, PushOutcome } from './send.js';
import type { PushMapping } from './claim.js';
import type { ResolvedReference } from './references.js';
import { mergeFailed, outboxSql, recordReinserts, retryOrphans, settle, type Settlement } from '../outbox/outbox.js';
import { appendPushed } from '../feed/feed.js';

/** One record's result to write back. */
export interface RecordResultRow {
  change: CoalescedChange;
  outcome: PushOutcome | { kind: 'none' } | { kind: 'wait'; error: PushError };
}

/** Back-off settings (config.push), and whether pushed changes go to the change feed (config.feed.enabled; default false). */
export interface BackoffSettings {
  retryBaseMs: number;
  retryMaxMs: number;
  feed?: boolean;
}

interface TableUpdate {
  ids: string[];
  sfids: Array<string | null>;
  states: string[];
  errors: Array<string | null>;
}

/** One more mapping's rows in the same write-back: the children a composite graph carried with the round's parents (send-families.ts). */
export interface WriteBackPart {
  mapping: PushMapping;
  rows: RecordResultRow[];
  references: ResolvedReference[];
}

/**
 * Write back every record's outcome; `children`: other mappings' rows that
 * went with these (composite graphs), settled in the same transaction, after
 * this mapping's rows (their table rows are locked after the parents').
 */
export async function writeBack(
  client: pg.ClientBase,
  mapping: PushMapping,
  rows: RecordResultRow[],
  backoff: BackoffSettings,
  references: ResolvedReference[] = [],
  children: WriteBackPart[] = [],
): Promise<void> {
  const parts = [{ mapping, rows, references }, ...children];
  const plans = [];
  for (const part of parts) plans.push(await planSettlement(client, part.mapping, part.rows));
  const exclusive = plans.some((p) => p?.exclusive);
  await client.query('begin');
  try {
    await client.query(`set local sfsync.origin = 'sfsync'`);
    // Before any row lock, so the two lock modes never wait on each other's rows.
    if (plans.some((p) => p !== undefined))
      await client.query(`select ${exclusive ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared'}($1, $2::int)`, [
        PARENT_LOCK_CLASS,
        mapping.connectionId,
      ]);
    for (const part of parts) await writeBackPart(client, part, backoff);
    // After every part's own rows: other records' changes are touched last, as in a one-mapping round.
    for (const [i, part] of parts.entries()) if (plans[i]) await settleChildren(client, part.mapping, plans[i]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/** One mapping's outcomes, inside the write-back's transaction. */
async function writeBackPart(client: pg.ClientBase, { mapping, rows, references }: WriteBackPart, backoff: BackoffSettings): Promise<void> {
  const o: Settlement = { ids: [], states: [], sfids: [], errors: [], incs: [], nexts: [], unknown: [] };
  const t: TableUpdate = { ids: [], sfids: [], states: [], errors: [] };
  /** Outbox rows Salesforce has now (not an insert deleted before it was sent: outcome none): the feed's entries. */
  const pushed: string[] = [];
  for (const { change, outcome } of rows) {
    if (outcome.kind === 'success') pushed.push(...change.rowIds);
    const last = change.rowIds.at(-1);
    const error = 'error' in outcome ? JSON.stringify(outcome.error) : null;
    const sfid = outcome.kind === 'success' ? outcome.sfid : null;
    const done = outcome.kind === 'success' || outcome.kind === 'none' || outcome.kind === 'failed';
    const state = outcome.kind === 'failed' ? 'failed' : done ? 'success' : 'new';
    const inc = outcome.kind === 'limit' || outcome.kind === 'wait' ? 0 : done ? 0 : 1;
    const next = done ? null : new Date(Date.now() + backoffMs(change.attempts + 1, backoff.retryBaseMs, backoff.retryMaxMs));
    for (const id of change.rowIds) {
      o.ids.push(id);
      o.states.push(state === 'success' && id !== last ? 'merged' : state);
      o.sfids.push(sfid);
      o.errors.push(error);
      o.incs.push(inc);
      o.nexts.push(next);
      o.unknown.push(outcome.kind === 'unknown');
    }
    for (const id of change.deferredIds) {
      o.ids.push(id);
      o.states.push('new');
      o.sfids.push(null);
      o.errors.push(null);
      o.incs.push(0);
      o.nexts.push(null);
      o.unknown.push(false);
    }
    if (change.op !== 'delete' && change.op !== 'none' && (done || outcome.kind !== 'wait')) {
      t.ids.push(change.recordId);
      t.sfids.push(sfid);
      t.states.push(outcome.kind === 'success' ? 'synced' : outcome.kind === 'failed' ? 'failed' : 'pending');
      t.errors.push(outcome.kind === 'failed' || outcome.kind === 'retry' || outcome.kind === 'limit' || outcome.kind === 'unknown' ? error : null);
    }
  }
  // Lock order (docs/architecture.md): the mapped rows in id order, then their outbox rows,
  // as the inbound apply does; updating the outbox first deadlocked with it.
  await client.query(`select 1 from ${mapping.table} where id = any($1::bigint[]) order by id for update`, [[...new Set(rows.map((r) => r.change.recordId))]]);
  await settle(client, o);
  const reinserts = rows.filter((r) => r.change.reinsert && r.outcome.kind === 'success').map((r) => r.change);
  // A re-insert went as an insert of every current value: its first outbox row says so (and so does its feed entry).
  await recordReinserts(
    client,
    reinserts.map((c) => ({ outboxId: c.rowIds[0]!, values: c.values })),
  );
  // The change feed's outbound entries: the rows settle just marked success or merged, in this transaction.
  if (backoff.feed) await appendPushed(client, pushed);
  const reinserted = reinserts.map((c) => c.recordId);
  // The earlier failed changes of a re-inserted row are in the insert now.
  if (reinserted.length > 0) await mergeFailed(client, mapping.id, reinserted);
  if (t.ids.length > 0) {
    await client.query(
      `update ${mapping.table} t
          set sfid = coalesce(u.sfid, t.sfid), _sfsync_error = u.error,
              _sfsync_state = case when u.state = 'synced' and ${outboxSql.newChangeExists('$5', 't.id')} then 'pending' else u.state end
         from unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[]) u(id, sfid, state, error)
        where t.id = u.id`,
      [t.ids, t.sfids, t.states, t.errors, mapping.id],
    );
  }
  await applyDeletedInSalesforce(client, mapping, rows);
  await storeReferences(client, mapping, rows, references);
}

/**
 * An insert whose reply was lost, and whose record Salesforce deleted before
 * the lookup found it (round.ts), leaves its row as an inbound delete would:
 * deleted, or marked `isdeleted` with delete_mode 'mark' (apply-sql.ts
 * deleteSql; the deletion wins over changes the row had meanwhile, as there).
 * Here, in the transaction that gives the row its sfid: the polls that read
 * the deletion earlier found no row with that sfid, and a re-poll queued for
 * it could run before this write-back; the same transaction leaves no window.
 * Not captured (sfsync.origin): Salesforce has no record to delete.
 */
async function applyDeletedInSalesforce(client: pg.ClientBase, mapping: PushMapping, rows: RecordResultRow[]): Promise<void> {
  const ids = rows.filter((r) => r.outcome.kind === 'success' && r.outcome.deletedInSalesforce).map((r) => r.change.recordId);
  if (ids.length === 0) return;
  await client.query(
    mapping.deleteMode === 'delete'
      ? `delete from ${mapping.table} where id = any($1::bigint[])`
      : `update ${mapping.table} set isdeleted = true where id = any($1::bigint[])`,
    [ids],
  );
}

/** The references with their parent's sfid: the one resolved before the send, else the parent row's now; those still without one are left out. */
async function withParentSfids(client: pg.ClientBase, references: ResolvedReference[]): Promise<Array<ResolvedReference & { sfid: string }>> {
  const out = references.filter((r): r is ResolvedReference & { sfid: string } => r.sfid !== null);
  const byExternalId = references.filter((r) => r.sfid === null);
  for (const table of new Set(byExternalId.map((r) => r.parent.table))) {
    const some = byExternalId.filter((r) => r.parent.table === table);
    const { rows } = await client.query<{ id: string; sfid: string }>(`select id::text, sfid from ${table} where id = any($1::bigint[]) and sfid is not null`, [
      some.map((r) => r.parent.id),
    ]);
    const sfids = new Map(rows.map((r) => [r.id, r.sfid]));
    for (const r of some) {
      const sfid = sfids.get(r.parent.id);
      if (sfid) out.push({ ...r, sfid });
    }
  }
  return out;
}

/**
 * Children failed with PARENT_FAILED go back to 'new' once their parent has
 * an sfid, through `sfsync.retry_orphans` (retry_failed: it notifies the engine and drops
 * fields a later change already sent), inside the write-back:
 * - a round that inserted records heals the children naming them (child
 *   mappings: those on the connection with a lookup to this object);
 * - a round that failed children heals those whose parent got its sfid
 *   while they were being sent.
 * The first holds the connection's PARENT_LOCK_CLASS lock shared, the second
 * exclusive, both from the start of the transaction: whichever commits second
 * reads after the other's commit, so a child never stays failed because it
 * was marked just as its parent's success committed.
 */
interface ChildSettlement {
  exclusive: boolean;
  /** Parents named by this round's PARENT_FAILED children. */
  orphans: Array<{ mappingId: string; recordId: string }>;
  /** Records this round inserted, and the mappings that may hold their children. */
  inserted: string[];
  children: string[];
}

/** What settleChildren will do for this round, or undefined when nothing (no lock then). */
async function planSettlement(client: pg.ClientBase, mapping: PushMapping, rows: RecordResultRow[]): Promise<ChildSettlement | undefined> {
  const orphans = rows.flatMap((r) =>
    r.outcome.kind === 'failed' && r.outcome.error.code === 'PARENT_FAILED' && r.outcome.error.parent ? [r.outcome.error.parent] : [],
  );
  const inserted = rows.filter((r) => r.outcome.kind === 'success' && r.change.op === 'insert').map((r) => r.change.recordId);
  const children = inserted.length > 0 ? await childMappings(client, mapping) : [];
  if (orphans.length === 0 && children.length === 0) return undefined;
  return { exclusive: orphans.length > 0, orphans, inserted, children };
}

async function settleChildren(client: pg.ClientBase, mapping: PushMapping, plan: ChildSettlement): Promise<void> {
  if (plan.children.length > 0) await retryOrphans(client, mapping.id, plan.inserted, plan.children);
  for (const parentMappingId of new Set(plan.orphans.map((p) => p.mappingId))) {
    // Only those whose parent row has an sfid by now (sfsync.retry_orphans checks).
    await retryOrphans(
      client,
      parentMappingId,
      plan.orphans.filter((p) => p.mappingId === parentMappingId).map((p) => p.recordId),
      [mapping.id],
    );
  }
}

/** read_write mappings of the connection with a lookup to the mapping's object (itself included). */
async function childMappings(client: pg.ClientBase, mapping: PushMapping): Promise<string[]> {
  const rows = await run(
    client,
    sfsync
      .selectFrom('mappings as m')
      .select('m.id')
      .where('m.connection_id', '=', mapping.connectionId)
      .where('m.mode', '=', 'read_write')
      // Any field_info element a reference to the object (jsonb, so SQL).
      .where(
        sql<boolean>`exists (select 1 from jsonb_array_elements(m.field_info) f, jsonb_array_elements_text(f -> 'referenceTo') r
                              where f ->> 'type' = 'reference' and lower(r) = lower(${mapping.sobject}))`,
      ),
  );
  return rows.map((r) => r.id);
}

/**
 * End a connection's push pause early: a poll's call to the org just
 * succeeded, so Salesforce accepts calls again. The outbox sweep (every
 * `push.sweepIntervalMs`) then queues the waiting pushes, instead of them
 * sleeping out the rest of a pause of up to a minute.
 */
export async function endPause(db: pg.ClientBase | pg.Pool, connectionId: string): Promise<void> {
  await run(
    db,
    sfsync
      .updateTable('connections')
      .set({ push_paused_until: null })
      .where('id', '=', connectionId)
      .where('push_paused_until', '>', sql<Date>`now()`),
  );
}

/** Pause every push of the connection until `until` (REQUEST_LIMIT_EXCEEDED); visible in sfsync.outbox_status. */
export async function pauseConnection(client: pg.ClientBase, connectionId: string, until: Date): Promise<void> {
  await run(
    client,
    sfsync
      .updateTable('connections')
      .set({ push_paused_until: sql<Date>`greatest(push_paused_until, ${until})` })
      .where('id', '=', connectionId),
  );
  await run(client, sfsync.updateTable('connections').set({ push_paused_until: until }).where('id', '=', connectionId).where('push_paused_until', 'is', null));
}

/**
 * Sent children keep the parent's sfid instead of `@<local id>` (same
 * transaction, not captured), so the column matches what Salesforce holds
 * when the next poll compares them; a column the app changed since is left alone.
 * A child sent by its parent's External ID gets the sfid the parent row has
 * now; without one the column keeps `@…` until the child's next poll
 * (references.ts explains why).
 */
async function storeReferences(client: pg.ClientBase, mapping: PushMapping, rows: RecordResultRow[], references: ResolvedReference[]): Promise<void> {
  const sent = new Set(rows.filter((r) => r.outcome.kind === 'success').map((r) => r.change.recordId));
  const done = await withParentSfids(
    client,
    references.filter((r) => sent.has(r.recordId)),
  );
  for (const column of new Set(done.map((r) => r.column))) {
    const some = done.filter((r) => r.column === column);
    const col = pg.escapeIdentifier(column);
    await client.query(
      `update ${mapping.table} t set ${col} = u.sfid from unnest($1::bigint[], $2::text[], $3::text[]) u(id, local, sfid) where t.id = u.id and t.${col} = u.local`,
      [some.map((r) => r.recordId), some.map((r) => r.local), some.map((r) => r.sfid)],
    );
  }
}
