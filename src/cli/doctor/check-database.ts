/**
 * Doctor checks of the database itself: the sfsync schema's migrations,
 * graphile-worker's schema version, engines that died holding jobs, and the
 * server settings sfsync runs into (max_connections, wal_level).
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import { loadMigrationFiles } from 'postgres-migrations';
import type { SfsyncConfig } from '../../config/config-schema.js';
import { MIGRATIONS_DIR } from '../../paths.js';
import { UNREGISTERED_LOCK_GRACE_MS, UNREGISTERED_LOCKERS_SQL } from '../../engine/dead-engines.js';
import { ok, problem, type Finding } from './finding.js';

/** Are sql/migrations all applied (and no other)? */
export async function checkSchema(pool: pg.Pool): Promise<Finding> {
  const files = await loadMigrationFiles(MIGRATIONS_DIR);
  const subject = 'sfsync schema';
  const { rows: exists } = await pool.query<{ ok: boolean }>("select to_regclass('sfsync.migrations') is not null as ok");
  if (!exists[0]?.ok) return problem('fail', 'schema', subject, 'not installed in this database', 'run `sfsync migrate`');
  const { rows } = await pool.query<{ id: number; name: string }>('select id, name from sfsync.migrations order by id');
  const applied = new Set(rows.map((r) => r.id));
  const missing = files.filter((f) => !applied.has(f.id)).map((f) => f.fileName);
  if (missing.length > 0)
    return problem('fail', 'schema', subject, `${missing.length} migration(s) not applied (${missing.join(', ')})`, 'run `sfsync migrate`');
  const known = new Set(files.map((f) => f.id));
  const unknown = rows.filter((r) => !known.has(r.id)).map((r) => `${r.id}_${r.name}`);
  if (unknown.length > 0)
    return problem(
      'warn',
      'schema',
      subject,
      `migrated by a newer sfsync (${unknown.join(', ')} unknown here)`,
      'upgrade this sfsync to the version that migrated it',
    );
  return ok('schema', subject, `all ${files.length} migration(s) applied`);
}

/** The newest graphile-worker migration this sfsync's graphile-worker ships. */
function expectedWorkerMigration(): number {
  // graphile-worker keeps its migrations in a generated module it does not export by name.
  const require = createRequire(import.meta.url);
  const { migrations } = require('graphile-worker/dist/generated/sql.js') as { migrations: Record<string, string> };
  return Math.max(...Object.keys(migrations).map((name) => parseInt(name.slice(0, 6), 10)));
}

/** graphile-worker's schema: installed, and at the version its code expects. */
export async function checkWorkerSchema(pool: pg.Pool): Promise<Finding> {
  const subject = 'graphile_worker schema';
  const expected = expectedWorkerMigration();
  const { rows: exists } = await pool.query<{ ok: boolean }>("select to_regclass('graphile_worker.migrations') is not null as ok");
  if (!exists[0]?.ok) return problem('fail', 'worker-schema', subject, 'not installed', 'run `sfsync migrate`');
  const { rows } = await pool.query<{ id: number | null }>('select max(id)::int as id from graphile_worker.migrations');
  const found = rows[0]?.id ?? 0;
  if (found < expected) return problem('fail', 'worker-schema', subject, `at migration ${found}, graphile-worker needs ${expected}`, 'run `sfsync migrate`');
  if (found > expected)
    return problem(
      'warn',
      'worker-schema',
      subject,
      `at migration ${found}, newer than this sfsync's graphile-worker (${expected})`,
      'upgrade this sfsync to the version that migrated it',
    );
  return ok('worker-schema', subject, `at migration ${found}`);
}

/** Engines whose session is gone but whose jobs may still be locked, and pools no engine registered holding old locks (killed while starting). */
export async function checkDeadEngines(pool: pg.Pool): Promise<Finding> {
  const { rows: dead } = await pool.query<{ worker_pool_id: string; process_name: string; locked: number }>(
    `select d.worker_pool_id, d.process_name,
            (select count(*)::int from graphile_worker._private_jobs j where j.locked_by = d.worker_pool_id) as locked
       from sfsync.dead_engines d order by d.worker_pool_id`,
  );
  const { rows: unregistered } = await pool.query<{ worker_pool_id: string; jobs: number }>(UNREGISTERED_LOCKERS_SQL, [UNREGISTERED_LOCK_GRACE_MS]);
  const rows = [
    ...dead,
    ...unregistered.map((r) => ({ worker_pool_id: r.worker_pool_id, process_name: `unregistered worker pool ${r.worker_pool_id}`, locked: r.jobs })),
  ];
  if (rows.length === 0) return ok('dead-engines', 'engines', 'no dead engine holds locks');
  const list = rows.map((r) => `${r.process_name} (${r.locked} job(s) locked)`).join(', ');
  return problem(
    'warn',
    'dead-engines',
    'engines',
    `${rows.length} engine(s) died without stopping: ${list}`,
    'start `sfsync start` (a running engine unlocks them within 30 s), or run `sfsync doctor --fix`',
  );
}

/** Connections one engine process opens at most: its pool (20), the worker pool (concurrency + 4), LISTEN, its engine session and the stream leader. */
export function connectionsPerEngine(config: SfsyncConfig): number {
  return 20 + config.worker.concurrency + 4 + 3;
}

/** The server settings that bite: too few free connections for another engine, and wal_level = minimal. */
export async function checkServerLimits(pool: pg.Pool, config: SfsyncConfig): Promise<Finding[]> {
  const { rows } = await pool.query<{ max: number; reserved: number; used: number; wal_level: string }>(
    `select current_setting('max_connections')::int as max,
            current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0) as reserved,
            (select count(*)::int from pg_stat_activity where backend_type = 'client backend') as used,
            current_setting('wal_level') as wal_level`,
  );
  return serverLimitFindings(rows[0]!, connectionsPerEngine(config));
}

/** The findings of {@link checkServerLimits} for the settings read. */
export function serverLimitFindings(s: { max: number; reserved: number; used: number; wal_level: string }, perEngine: number): Finding[] {
  const free = s.max - s.reserved - s.used;
  const connections =
    free >= perEngine
      ? ok('max-connections', 'max_connections', `${free} of ${s.max} free; an engine opens up to ${perEngine}`)
      : problem(
          free <= 0 ? 'fail' : 'warn',
          'max-connections',
          'max_connections',
          `${free} of ${s.max} connections free, but an engine opens up to ${perEngine}`,
          'raise max_connections (a server restart), or lower worker.concurrency in the config',
        );
  const wal =
    s.wal_level === 'minimal'
      ? problem(
          'warn',
          'wal-level',
          'wal_level',
          'minimal: no WAL archive or standby can hold changes the outbox has not sent to Salesforce yet if this disk is lost',
          'set wal_level = replica (a server restart) and archive WAL or run a standby',
        )
      : ok('wal-level', 'wal_level', s.wal_level);
  return [connections, wal];
}
