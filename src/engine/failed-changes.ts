/**
 * Failed changes: read from the `sfsync.failed_changes` view; retried or
 * discarded through the write path's SQL functions `sfsync.retry_failed` and
 * `sfsync.discard_failed`, so psql users and the CLI do the same thing.
 */
import type { NotNull } from 'kysely';
import type pg from 'pg';
import { SfsyncError } from '../errors.js';

/** One failed change, JSON-friendly. */
export interface FailedChange {
  id: number;
  mappingId: number;
  /** The connection (org) the change was for. */
  connection: string;
  sobject: string;
  table: string;
  recordId: number;
  sfid: string | null;
  op: string;
  changed: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  failedAt: string | null;
}

/** Which failed changes a retry/discard targets: exactly one of these (nothing selects nothing). */
export interface FailedSelector {
  ids?: number[];
  /** A mapping by id, object or schema.table. */
  mapping?: string;
  /** Every failed change. */
  all?: boolean;
}

/** Failed changes, oldest first, optionally of one mapping. */
export async function listFailed(pool: pg.Pool, mapping: string | undefined, limit: number): Promise<FailedChange[]> {
  // Imported when run: kysely would cost every command's startup (commands/errors.ts loads this module eagerly).
  const { run, sfsync, sql } = await import('../db/typed-query.js');
  const query = sfsync
    .selectFrom('failed_changes')
    .select((eb) => [
      eb.cast<number>('id', 'integer').as('id'),
      eb.cast<number>('mapping_id', 'integer').as('mapping_id'),
      'connection',
      'sobject',
      sql<string>`schema_name || '.' || table_name`.as('table'),
      eb.cast<number>('record_id', 'integer').as('record_id'),
      'sfid',
      'op',
      'changed',
      'error_code',
      'error_message',
      'attempts',
      'failed_at',
    ])
    // A view's columns all read as nullable; these come from not-null columns of its tables.
    .$narrowType<{ connection: NotNull; sobject: NotNull; op: NotNull; attempts: NotNull }>()
    .orderBy('id')
    .limit(limit);
  const rows = await run(pool, mapping === undefined ? query : query.where('mapping_id', '=', sql<string>`sfsync.resolve_mapping(${mapping})`));
  return rows.map((r) => ({
    id: r.id,
    mappingId: r.mapping_id,
    connection: r.connection,
    sobject: r.sobject,
    table: r.table,
    recordId: r.record_id,
    sfid: r.sfid,
    op: r.op,
    changed: r.changed,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    attempts: r.attempts,
    failedAt: r.failed_at ? new Date(r.failed_at).toISOString() : null,
  }));
}

/** Retry or discard failed changes; returns how many. */
export async function settleFailed(pool: pg.Pool, verb: 'retry' | 'discard', selector: FailedSelector): Promise<number> {
  const fn = verb === 'retry' ? 'retry_failed' : 'discard_failed';
  // The signature with all_failed (1_baseline.sql): a database sfsync has not migrated lacks it.
  const { rows: exists } = await pool.query<{ ok: boolean }>('select to_regprocedure($1) is not null as ok', [
    `sfsync.${fn}(bigint, bigint[], boolean, boolean)`,
  ]);
  if (!exists[0]?.ok) {
    throw new SfsyncError('NOT_AVAILABLE', `sfsync.${fn} in this database is missing or older than this sfsync; run \`sfsync migrate\` after upgrading.`);
  }
  const mappingId = selector.mapping === undefined ? null : await resolveMapping(pool, selector.mapping);
  const { rows } = await pool.query<{ n: number }>(
    `select sfsync.${fn}(p_mapping_id => $1::bigint, p_outbox_ids => $2::bigint[], all_failed => $3::boolean)::int as n`,
    [mappingId, selector.ids ?? null, selector.all ?? false],
  );
  return rows[0]?.n ?? 0;
}

async function resolveMapping(pool: pg.Pool, mapping: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>('select sfsync.resolve_mapping($1)::text as id', [mapping]);
  return rows[0]!.id;
}
