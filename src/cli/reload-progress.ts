/**
 * Follow a reload the engine runs: the read path records it as a
 * `poll_windows` row of kind `reload` (records seen so far, outcome), so the
 * CLI only watches that row — it needs no channel to the engine.
 */
import type pg from 'pg';
import { run, sfsync, sql } from '../db/typed-query.js';
import { SfsyncError } from '../errors.js';
import { createProgress } from './progress.js';

/** The outcome of a followed reload. */
export interface ReloadResult {
  records: number;
  ms: number;
}

/** Wait for the first reload window of `mappingId` started at or after `since`; rejects on failure or timeout. */
export async function followReload(
  pool: pg.Pool,
  mappingId: string,
  since: Date,
  options: { timeoutMs: number; quiet?: boolean; label?: string; signal?: AbortSignal },
): Promise<ReloadResult> {
  const progress = createProgress(options.label ?? 'reload', { quiet: options.quiet ?? false });
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (;;) {
      if (options.signal?.aborted) return { records: 0, ms: 0 };
      const [row] = await run(
        pool,
        sfsync
          .selectFrom('poll_windows')
          .select([
            'records_seen',
            'records_expected',
            'outcome',
            'error',
            sql<number | null>`(extract(epoch from finished_at - started_at) * 1000)::float8`.as('ms'),
          ])
          .where('mapping_id', '=', mappingId)
          .where('kind', '=', 'reload')
          .where('started_at', '>=', since)
          .orderBy('id')
          .limit(1)
          .$narrowType<{ error: { message?: string } | null }>(),
      );
      if (row) progress.update(row.records_seen, row.records_expected ?? undefined);
      if (row?.outcome === 'succeeded') return { records: row.records_seen, ms: row.ms ?? 0 };
      if (row?.outcome === 'failed') {
        throw new SfsyncError(
          'RELOAD_FAILED',
          `The reload failed: ${row.error?.message ?? 'no error recorded'}; see sfsync.recent_windows, fix the cause and run \`sfsync reload\` again.`,
        );
      }
      if (Date.now() > deadline) {
        throw new SfsyncError(
          'RELOAD_TIMEOUT',
          `The reload did not finish within ${Math.round(options.timeoutMs / 1000)} s; is \`sfsync start\` running? It stays queued either way.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    progress.stop();
  }
}
