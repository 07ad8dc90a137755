/**
 * Free what a dead engine left locked in graphile-worker (docs/schema.md, sfsync.engines, says
 * why): each engine registers its worker pool id beside a Postgres session it
 * holds open; a pool whose session is gone belongs to a dead process, and its
 * jobs and named queues are unlocked at once instead of after 4 hours.
 *
 * A Postgres restart ends every engine's session while the engines live on:
 * each one registers again on a new session at once ({@link holdRegistration}).
 * It used not to, so the first sweep after a restart forgot every engine, and
 * one killed later left its jobs and its mapping's poll queue locked for 4
 * hours: that mapping's Salesforce changes stopped arriving (the soak's
 * "lost" records after a pg-restart then a kill).
 *
 * An engine killed after its worker pool took a job but before it registered
 * leaves no row at all: a backstop frees locks held by a pool no engine has
 * registered once they are older than {@link UNREGISTERED_LOCK_GRACE_MS}.
 */
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
import type pg from 'pg';
import type { WorkerUtils } from 'graphile-worker';
import type { Logger } from 'pino';

/** How often live engines look for dead ones, ms. */
export const DEAD_ENGINE_SWEEP_MS = 30_000;

/**
 * How old the newest lock of a worker pool that no engine registered must be
 * before a sweep frees it, ms; default 2 minutes. An engine starts its pool,
 * then registers it (start-engine.ts): one connect and one insert, well under
 * a second, and a failed registration stops the engine. A live engine's row is
 * otherwise missing only between a Postgres restart and its re-registration
 * (half a second; see {@link holdRegistration}), when the dead-engine sweep
 * already unlocks it; a pool that took any job within the grace is left alone.
 */
export const UNREGISTERED_LOCK_GRACE_MS = 120_000;

/** Register this engine's worker pool on `session` (again: the row then names this session); `session` must stay open while the engine runs. */
export async function registerEngine(session: pg.PoolClient | pg.Client, workerPoolId: string, processName: string): Promise<void> {
  await run(
    session,
    sfsync
      .insertInto('engines')
      .columns(['worker_pool_id', 'pid', 'backend_start', 'process_name'])
      // The session's own pid and start time: a catalog view, so SQL.
      .expression(sql`select ${workerPoolId}, pid, backend_start, ${processName} from pg_stat_activity where pid = pg_backend_pid()`)
      .onConflict((oc) => oc.column('worker_pool_id').doUpdateSet((eb) => ({ pid: eb.ref('excluded.pid'), backend_start: eb.ref('excluded.backend_start') }))),
  );
}

/** True when this engine's row names `session` (a sweep may have removed it while the session was lost). */
async function isRegistered(session: pg.PoolClient, workerPoolId: string): Promise<boolean> {
  const rows = await run(
    session,
    sfsync
      .selectFrom('engines')
      .select('pid')
      .where('worker_pool_id', '=', workerPoolId)
      .where('pid', '=', sql<number>`pg_backend_pid()`),
  );
  return rows.length > 0;
}

/** This engine's registration, kept alive for its whole life. */
export interface Registration {
  /** Register again if the session is gone or the row was removed; resolves when registered (throws while Postgres is away). */
  ensure(): Promise<void>;
  /** Forget the row (clean stop) and give the session back. */
  release(): Promise<void>;
}

/** How soon a lost registration session is replaced, and retried while Postgres is away, ms. */
const REREGISTER_MS = 500;

/**
 * Register this engine and keep it registered: when its session ends (a
 * Postgres restart, a terminated backend) a new session registers it again
 * within {@link REREGISTER_MS}, retrying until Postgres is back, so other
 * engines' sweeps take it for dead for as short a time as possible (they may
 * then unlock a job it is running: run twice, never lost) and, above all, a
 * later death of this engine is seen.
 */
export async function holdRegistration(pool: pg.Pool, workerPoolId: string, processName: string, logger: Logger): Promise<Registration> {
  let session: pg.PoolClient | undefined;
  let released = false;
  let retry: NodeJS.Timeout | undefined;
  let ensuring: Promise<void> | undefined;
  const scheduleRetry = () => {
    if (released || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      ensure().catch(() => scheduleRetry());
    }, REREGISTER_MS);
    retry.unref();
  };
  const drop = (s: pg.PoolClient) => {
    if (session !== s) return;
    session = undefined;
    s.release(true);
  };
  const connect = async (): Promise<pg.PoolClient> => {
    const s = await pool.connect();
    s.once('end', () => {
      // Ended while it was this engine's session: lost, not released.
      if (session !== s) return;
      drop(s);
      logger.warn({ workerPoolId }, 'the engine registration session ended; registering again');
      scheduleRetry();
    });
    return s;
  };
  const ensureNow = async () => {
    if (released) return;
    if (session) {
      const current = session;
      const ok = await isRegistered(current, workerPoolId).catch(() => {
        drop(current);
        return undefined;
      });
      if (ok) return;
      if (ok === false) {
        await registerEngine(current, workerPoolId, processName);
        return;
      }
    }
    const s = await connect();
    try {
      await registerEngine(s, workerPoolId, processName);
    } catch (error) {
      s.release(true);
      throw error;
    }
    if (released) {
      s.release(true);
      return;
    }
    session = s;
  };
  const ensure = (): Promise<void> => (ensuring ??= ensureNow().finally(() => (ensuring = undefined)));
  await ensure();
  return {
    ensure,
    async release() {
      released = true;
      if (retry) clearTimeout(retry);
      await ensuring?.catch(() => undefined);
      const s = session;
      session = undefined;
      if (!s) return;
      try {
        await unregisterEngine(s, workerPoolId);
      } finally {
        s.release();
      }
    },
  };
}

/** Forget this engine's row (clean stop). */
export async function unregisterEngine(session: pg.PoolClient | pg.Client, workerPoolId: string): Promise<void> {
  await run(session, sfsync.deleteFrom('engines').where('worker_pool_id', '=', workerPoolId));
}

/**
 * Unlock the jobs and queues of dead engines and forget them, then those of
 * worker pools no engine registered whose newest lock is older than `graceMs`
 * (default {@link UNREGISTERED_LOCK_GRACE_MS}); returns both kinds of pool ids.
 */
export async function releaseDeadEngines(pool: pg.Pool, utils: WorkerUtils, logger: Logger, graceMs = UNREGISTERED_LOCK_GRACE_MS): Promise<string[]> {
  const dead = await releaseRegisteredDead(pool, utils, logger);
  const unregistered = await releaseUnregisteredLocks(pool, graceMs);
  if (unregistered.length > 0)
    logger.warn({ workerPoolIds: unregistered, graceMs }, 'unlocked the jobs of worker pools no engine registered (killed while starting)');
  return [...dead, ...unregistered];
}

/**
 * Worker pools no engine registered whose newest lock on sfsync's tasks or
 * queues (`sfsync:…`) is older than $1 ms, with the jobs they hold. Only those
 * locks count: another application may share the graphile_worker schema, and
 * its pools are never registered here. graphile-worker locks with the pool id
 * (`locked_by`) and `now()` (`locked_at`), on jobs and on named queues.
 */
export const UNREGISTERED_LOCKERS_SQL = `
select l.locked_by as worker_pool_id, count(*) filter (where l.is_job)::int as jobs
  from (select j.locked_by, j.locked_at, true as is_job
          from graphile_worker._private_jobs j
          join graphile_worker._private_tasks t on t.id = j.task_id
         where j.locked_by is not null and t.identifier like 'sfsync:%'
        union all
        select q.locked_by, q.locked_at, false
          from graphile_worker._private_job_queues q
         where q.locked_by is not null and q.queue_name like 'sfsync:%') l
 where not exists (select 1 from sfsync.engines e where e.worker_pool_id = l.locked_by)
 group by l.locked_by
having max(l.locked_at) < now() - make_interval(secs => $1::double precision / 1000)
 order by l.locked_by`;

/** One statement, so a pool that takes a job or registers meanwhile is judged on what it held when the statement began. */
const UNLOCK_UNREGISTERED_SQL = `
select s.ids, graphile_worker.force_unlock_workers(s.ids)
  from (select array(select u.worker_pool_id from (${UNREGISTERED_LOCKERS_SQL}) u) as ids) s
 where cardinality(s.ids) > 0`;

/** Free the locks of worker pools that no engine registered, when the newest is older than `graceMs`; returns their ids. */
async function releaseUnregisteredLocks(pool: pg.Pool, graceMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ ids: string[] }>(UNLOCK_UNREGISTERED_SQL, [graceMs]);
  return rows[0]?.ids ?? [];
}

/** Unlock the jobs and queues of registered engines whose session is gone, and forget them; returns their pool ids. */
async function releaseRegisteredDead(pool: pg.Pool, utils: WorkerUtils, logger: Logger): Promise<string[]> {
  const rows = await run(pool, sfsync.selectFrom('dead_engines').select(['worker_pool_id', 'process_name']));
  const ids = rows.flatMap((r) => (r.worker_pool_id === null ? [] : [r.worker_pool_id]));
  if (ids.length === 0) return [];
  await utils.forceUnlockWorkers(ids);
  // Only rows still dead: an engine that registered again meanwhile (new session) keeps its row.
  await run(
    pool,
    sfsync
      .deleteFrom('engines')
      .where('worker_pool_id', 'in', ids)
      .where('worker_pool_id', 'in', (eb) => eb.selectFrom('dead_engines').select('worker_pool_id')),
  );
  logger.warn({ engines: rows }, 'unlocked the jobs of engines that died without stopping');
  return ids;
}
