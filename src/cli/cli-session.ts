/**
 * A CLI command's scoped access to the database: config loaded, Postgres
 * opened (and stopped afterwards when it was started here), a small pool, and
 * a check that the sfsync schema is installed — so a command run against an
 * empty database says "run sfsync migrate" instead of failing on a missing
 * relation.
 */
import type { Command } from 'commander';
import type pg from 'pg';
import type { SfsyncConfig, SfsyncConfigInput } from '../config/config-schema.js';
import { SfsyncError } from '../errors.js';
import { configFor } from './global-options.js';

/** What a command gets. */
export interface CliSession {
  readonly config: SfsyncConfig;
  /** Connection string of the database (secrets in it are the user's own). */
  readonly url: string;
  readonly pool: pg.Pool;
}

/** Options of {@link withSession}. */
export interface SessionOptions {
  /** Fail unless the sfsync schema (with the operator views) exists; default true. */
  requireSchema?: boolean;
  /** Extra config overrides from the command's own flags. */
  overrides?: SfsyncConfigInput;
}

/** Run `fn` with a session; everything opened is closed, whatever `fn` throws. */
export async function withSession<T>(command: Command, fn: (session: CliSession) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  const config = await configFor(command, options.overrides);
  // Imported per call: pg and the Postgres provisioning cost ~100 ms that `--help` never needs.
  const [{ createPool }, { openCliPostgres }] = await Promise.all([import('../db/pool.js'), import('./cli-postgres.js')]);
  const server = await openCliPostgres(config);
  const pool = createPool(server.url, { max: 4, applicationName: `sfsync ${command.name()}` });
  try {
    await checkReachable(pool);
    if (options.requireSchema !== false) await checkSchema(pool);
    return await fn({ config, url: server.url, pool });
  } finally {
    await closePool(pool);
    await server.stop();
  }
}

async function checkReachable(pool: pg.Pool): Promise<void> {
  try {
    await pool.query('select 1');
  } catch (cause) {
    throw new SfsyncError('DB_UNREACHABLE', `Cannot connect to Postgres (${(cause as Error).message.split('\n')[0]}); check DATABASE_URL or --database-url.`, {
      cause,
    });
  }
}

async function checkSchema(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ ok: boolean }>("select to_regclass('sfsync.mapping_status') is not null as ok");
  if (!rows[0]?.ok) {
    throw new SfsyncError('SCHEMA_MISSING', 'The sfsync schema is missing or out of date in this database; run `sfsync migrate` (or `sfsync init`) first.');
  }
}

/**
 * End the pool quietly: pg resolves `end()` before every socket has closed, so
 * stopping an embedded server right after can still deliver its
 * "terminating connection" notice to a client being closed — expected here.
 */
export async function closePool(pool: pg.Pool): Promise<void> {
  pool.removeAllListeners('error');
  pool.on('error', () => undefined);
  await pool.end().catch(() => undefined);
}
