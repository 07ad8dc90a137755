/**
 * Free what a dead engine left locked in graphile-worker (docs/schema.md, sfsync.engines, says
 * why): each engine registers its worker pool id beside a Postgres session it
 * holds open; a pool whose session is gone belongs to a dead process, and its
 * jobs and named queues are unlocked at once instead of after 4 hours.
 */
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
import type pg from 'pg';
import type { WorkerUtils } from 'graphile-worker';
import type { Logger } from 'pino';

/** How often live engines look for dead ones, ms. */
export const DEAD_ENGINE_SWEEP_MS = 30_000;

/** Register this engine's worker pool; `session` must stay open for the engine's whole life. */
export async function registerEngine(session: pg.PoolClient | pg.Client, workerPoolId: string, processName: string): Promise<void> {
  await run(
    session,
    sfsync
      .insertInto('engines')
      .columns(['worker_pool_id', 'pid', 'backend_start', 'process_name'])
      // The session's own pid and start time: a catalog view, so SQL.
      .expression(sql`select ${workerPoolId}, pid, backend_start, ${processName} from pg_stat_activity where pid = pg_backend_pid()`),
  );
}

/** Forget this engine's row (clean stop). */
export async function unregisterEngine(session: pg.PoolClient | pg.Client, workerPoolId: string): Promise<void> {
  await run(session, sfsync.deleteFrom('engines').where('worker_pool_id', '=', workerPoolId));
}

/** Unlock the jobs and queues of dead engines and forget them; returns their pool ids. */
export async function releaseDeadEngines(pool: pg.Pool, utils: WorkerUtils, logger: Logger): Promise<string[]> {
  const rows = await run(pool, sfsync.selectFrom('dead_engines').select(['worker_pool_id', 'process_name']));
  const ids = rows.flatMap((r) => (r.worker_pool_id === null ? [] : [r.worker_pool_id]));
  if (ids.length === 0) return [];
  await utils.forceUnlockWorkers(ids);
  await run(pool, sfsync.deleteFrom('engines').where('worker_pool_id', 'in', ids));
  logger.warn({ engines: rows }, 'unlocked the jobs of engines that died without stopping');
  return ids;
}
