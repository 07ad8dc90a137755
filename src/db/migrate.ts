/**
 * `sfsync migrate`: install or upgrade the `sfsync` schema and graphile-worker's.
 *
 * postgres-migrations creates an unqualified `migrations` table, so it runs on a
 * dedicated client (never a Pool, never inside an outer transaction) whose
 * `search_path` is pinned to `sfsync`: the bookkeeping lands in
 * `sfsync.migrations` and a host application's `public.migrations` is never
 * touched. A session advisory lock serialises concurrent migrators (two
 * `sfsync start` processes booting at once), including the `create schema`.
 *
 * Before anything runs, the recorded history is checked against the files:
 * a database made by the pre-release migrations (folded into
 * 1_baseline.sql, docs/schema.md) or one whose applied file was edited gets
 * one line naming the fix, not postgres-migrations' hash error.
 */
import pg from 'pg';
import { loadMigrationFiles, migrate as runSqlMigrations } from 'postgres-migrations';
import { Logger as WorkerLogger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import { SfsyncError } from '../errors.js';
import { MIGRATIONS_DIR } from '../paths.js';
import { MIGRATE_LOCK_KEY } from './locks.js';

/** The schema that holds sfsync's own state. */
export const SFSYNC_SCHEMA = 'sfsync';

/** graphile-worker's schema (its default). */
export const WORKER_SCHEMA = 'graphile_worker';

/** postgres-migrations' own bookkeeping table (its 0_create-migrations-table.sql), schema-qualified. */
const MIGRATIONS_TABLE_DDL = `create table if not exists ${SFSYNC_SCHEMA}.migrations (
  id integer primary key,
  name varchar(100) unique not null,
  hash varchar(40) not null,
  executed_at timestamp default current_timestamp
)`;

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Names of the sfsync migrations applied by this call (empty when up to date). */
  applied: string[];
}

/** Apply every pending sfsync migration, then graphile-worker's. Idempotent and safe to run concurrently. */
export async function migrate(connectionString: string): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString, application_name: 'sfsync migrate' });
  try {
    await client.connect();
  } catch (cause) {
    throw new SfsyncError('DB_UNREACHABLE', `Cannot connect to Postgres (${(cause as Error).message}); check DATABASE_URL.`, { cause });
  }
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    await client.query(`create schema if not exists ${SFSYNC_SCHEMA}`);
    await client.query(`set search_path to ${SFSYNC_SCHEMA}`);
    // postgres-migrations decides whether its table exists by name in ANY
    // schema (pg_class.relname), so a host's public.migrations would make it
    // skip creating ours. Create ours first, with its own definition.
    await client.query(MIGRATIONS_TABLE_DDL);
    await checkHistory(client);
    const applied = await runSqlMigrations({ client }, MIGRATIONS_DIR);
    await runWorkerMigrations({ connectionString, schema: WORKER_SCHEMA, logger: quietLogger() });
    return { applied: applied.map((m) => m.fileName) };
  } catch (cause) {
    if (cause instanceof SfsyncError) throw cause;
    throw new SfsyncError(
      'MIGRATE_FAILED',
      `Migrating the sfsync schema failed: ${(cause as Error).message}. Fix the cause and run \`sfsync migrate\` again; applied migrations are kept.`,
      { cause },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The first migration of the pre-release history (1_connections.sql … 21_reserved_schemas.sql),
 * as postgres-migrations recorded it: the name without id and extension.
 */
const PRE_RELEASE_FIRST = 'connections';

/**
 * Refuse, in one line naming the fix, a database whose recorded migrations
 * are not a prefix of sql/migrations: one made by the pre-release
 * migrations, or one whose applied file has since been edited.
 */
async function checkHistory(client: pg.Client): Promise<void> {
  const files = await loadMigrationFiles(MIGRATIONS_DIR);
  const { rows } = await client.query<{ id: number; name: string; hash: string }>(`select id, name, hash from ${SFSYNC_SCHEMA}.migrations order by id`);
  if (rows.some((r) => r.id === 1 && r.name === PRE_RELEASE_FIRST)) {
    throw new SfsyncError(
      'SCHEMA_PRE_RELEASE',
      `This database's ${SFSYNC_SCHEMA} schema was created by a pre-release sfsync (its ${SFSYNC_SCHEMA}.migrations starts with 1_${PRE_RELEASE_FIRST}.sql) and cannot be upgraded; recreate it: \`sfsync demo --reset\`, or drop the ${SFSYNC_SCHEMA} schema and the tables it mapped, then run \`sfsync migrate\`.`,
    );
  }
  const byId = new Map(files.map((f) => [f.id, f]));
  for (const row of rows) {
    const file = byId.get(row.id);
    if (!file || file.hash === row.hash) continue;
    throw new SfsyncError(
      'MIGRATION_CHANGED',
      `Migration ${row.id} (${row.name}) was applied to this database from a different text than sql/migrations/${file.fileName}; applied migrations are never edited: restore the file and put the change in a new migration.`,
    );
  }
}

/** graphile-worker logs every migration at info level; keep only warnings and errors. */
function quietLogger(): WorkerLogger {
  return new WorkerLogger((scope) => (level, message) => {
    if (level === 'error' || level === 'warning') console.error(`[graphile-worker:${scope.label ?? 'migrate'}] ${message}`);
  });
}
