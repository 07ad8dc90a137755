/**
 * sfsync.poll_windows bookkeeping: one row per poll of a window, written on
 * the pool (outside the apply transactions) so progress is visible while a
 * window runs.
 */
import type pg from 'pg';
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
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
  const rows = await run(
    pool,
    sfsync
      .insertInto('poll_windows')
      .values({ mapping_id: w.mappingId, kind: w.kind, lower: w.lower, upper: w.upper })
      .returning(sql<string>`id::text`.as('id')),
  );
  return rows[0]?.id ?? '';
}

/** Update a running window's counters (progress). */
export async function updateWindow(db: pg.Pool | pg.PoolClient, id: string, c: WindowCounters): Promise<void> {
  await run(
    db,
    sfsync
      .updateTable('poll_windows')
      .set({
        api: c.api,
        records_seen: c.seen,
        records_applied: c.applied,
        records_failed: c.failed,
        api_calls: c.apiCalls,
        records_expected: sql<number | null>`coalesce(${c.expected ?? null}::integer, records_expected)`,
      })
      .where('id', '=', id),
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
  await run(
    db,
    sfsync
      .updateTable('poll_windows')
      .set({
        outcome: 'succeeded',
        finished_at: sql<Date>`clock_timestamp()`,
        drift_fixed: extra.driftFixed ?? 0,
        secondary_due_at: extra.secondaryDueAt ?? null,
      })
      .where('id', '=', id),
  );
}

/** Mark a window failed with the error (never throws: the caller rethrows the original). */
export async function failWindow(pool: pg.Pool, id: string, c: WindowCounters, error: unknown): Promise<void> {
  await updateWindow(pool, id, c).catch(() => undefined);
  await run(
    pool,
    sfsync
      .updateTable('poll_windows')
      .set({ outcome: 'failed', finished_at: sql<Date>`clock_timestamp()`, error: JSON.stringify(describeError(error)) })
      .where('id', '=', id),
  ).catch(() => undefined);
}
