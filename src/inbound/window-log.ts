/**
 * sfsync.poll_windows bookkeeping: one row per poll of a window, written on
 * the pool (outside the apply transactions) so progress is visible while a
 * window runs.
 */
import type pg from 'pg';
import { describeError } from '../salesforce/errors.js';

/** Counters of a running window. */
export interface WindowCounters {
  api: 'rest' | 'bulk' | null;
  seen: number;
  applied: number;
  failed: number;
  apiCalls: number;
  expected?: number;
}

/** Insert a running window; returns its id. */
export async function startWindow(
  pool: pg.Pool,
  w: { mappingId: string; kind: 'primary' | 'secondary' | 'reload' | 'reconcile'; lower: Date; upper: Date },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    'insert into sfsync.poll_windows (mapping_id, kind, lower, upper) values ($1, $2, $3, $4) returning id::text',
    [w.mappingId, w.kind, w.lower, w.upper],
  );
  return rows[0]?.id ?? '';
}

/** Update a running window's counters (progress). */
export async function updateWindow(db: pg.Pool | pg.PoolClient, id: string, c: WindowCounters): Promise<void> {
  await db.query(
    `update sfsync.poll_windows set api = $2, records_seen = $3, records_applied = $4, records_failed = $5, api_calls = $6,
       records_expected = coalesce($7, records_expected) where id = $1`,
    [id, c.api, c.seen, c.applied, c.failed, c.apiCalls, c.expected ?? null],
  );
}

/** Mark a window succeeded (inside the caller's transaction when given a client). */
export async function finishWindow(
  db: pg.Pool | pg.PoolClient,
  id: string,
  c: WindowCounters,
  extra: { driftFixed?: number; secondaryDueAt?: Date | null } = {},
): Promise<void> {
  await updateWindow(db, id, c);
  await db.query(
    `update sfsync.poll_windows set outcome = 'succeeded', finished_at = clock_timestamp(), drift_fixed = $2, secondary_due_at = $3 where id = $1`,
    [id, extra.driftFixed ?? 0, extra.secondaryDueAt ?? null],
  );
}

/** Mark a window failed with the error (never throws: the caller rethrows the original). */
export async function failWindow(pool: pg.Pool, id: string, c: WindowCounters, error: unknown): Promise<void> {
  await updateWindow(pool, id, c).catch(() => undefined);
  await pool
    .query(`update sfsync.poll_windows set outcome = 'failed', finished_at = clock_timestamp(), error = $2 where id = $1`, [
      id,
      JSON.stringify(describeError(error)),
    ])
    .catch(() => undefined);
}
