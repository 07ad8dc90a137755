/**
 * What every CLI test file needs: a cloned database, an emulator in the test
 * process, a temp directory, and `sfsync` run as a subprocess against them —
 * plus the assertion every failure must pass (one line, no stack trace).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from 'salesforce-emulator';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import { runCli, type CliResult } from '../support/run-cli.js';

/** A test file's world. */
export interface CliWorld {
  db: TestDatabase;
  emulator: RunningEmulator;
  dir: string;
  pool: pg.Pool;
  /** Environment for subprocesses: DATABASE_URL, the emulator's login, metrics off. */
  env: NodeJS.ProcessEnv;
  /** Run `sfsync <args>` with `env` (plus `extra`), in `dir`; killed after `timeoutMs` (default 60 s). */
  sfsync(args: string[], extra?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CliResult>;
  close(): Promise<void>;
}

/** Set up the world; `close()` removes everything, whatever failed. */
export async function createCliWorld(options: { seed?: boolean; emulator?: EmulatorOptions } = {}): Promise<CliWorld> {
  const db = await createTestDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), 'sfsync-cli-'));
  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({ ...options.emulator, log: () => undefined });
    if (options.seed) emulator.org.create('Account', { Name: 'Seeded Account' });
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: db.url,
      SFSYNC_DATA_DIR: path.join(dir, 'state'),
      SFSYNC_LOGIN_URL: emulator.url,
      SFSYNC_USERNAME: 'admin@sfsync.test',
      SFSYNC_PASSWORD: 'sfsync',
      SFSYNC_CLIENT_ID: 'sfsync-local',
      SFSYNC_CLIENT_SECRET: 'sfsync-local-secret',
      SFSYNC_METRICS_PORT: '0',
      SFSYNC_DEBUG: '',
    };
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const world: CliWorld = {
      db,
      emulator,
      dir,
      pool,
      env,
      sfsync: (args, extra = {}, timeoutMs) => runCli(args, { env: { ...env, ...extra }, cwd: dir, ...(timeoutMs ? { timeoutMs } : {}) }),
      async close() {
        await pool.end().catch(() => undefined);
        await emulator?.stop();
        await db.drop();
        await rm(dir, { recursive: true, force: true });
      },
    };
    return world;
  } catch (error) {
    await emulator?.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A failure as the CLI must report it: non-zero exit, one line on stderr naming `pattern`, no stack trace. */
export function expectOneLineFailure(result: CliResult, pattern: RegExp): void {
  const lines = result.stderr.trim().split('\n');
  expect(result.code, result.stderr).not.toBe(0);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

/** Parse stdout as JSON, failing with the output when it is not. */
export function parseJson<T = Record<string, unknown>>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** Everything an operator could have changed, to prove a failed command left no trace. */
export async function snapshotDatabase(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query(`
    select json_build_object(
      'connections', (select coalesce(json_agg(c order by id), '[]') from (select id, name, login_url, auth_kind, username from sfsync.connections) c),
      'mappings', (select coalesce(json_agg(m order by id), '[]') from (select id, sobject, schema_name, table_name, fields, mode, state from sfsync.mappings) m),
      'tables', (select coalesce(json_agg(table_schema || '.' || table_name order by 1), '[]') from information_schema.tables where table_schema = 'salesforce'),
      'jobs', (select count(*) from graphile_worker.jobs)
    ) as s`);
  return JSON.stringify(rows[0].s);
}
