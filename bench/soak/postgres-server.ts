/**
 * The soak's own Postgres, restartable for the `pg-restart` fault:
 * - default: an embedded server (the product's startEmbeddedPostgres, fsync
 *   off) in the run's work directory on a fixed free port, so it can be
 *   stopped and started again on the same data directory and port, as a DBA's
 *   restart would (test/engine/postgres-restart.test.ts does the same);
 * - `DATABASE_URL` set: a fresh database of our own on that server, dropped at
 *   the end; that server is never restarted (the fault is skipped with a note).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres.js';
import { freePort } from '../../src/db/free-port.js';
import { withDatabase } from '../../src/db/provide-postgres.js';

/** The soak's database. */
export interface SoakPostgres {
  /** URL of the soak's database. */
  url: string;
  /** Whether {@link SoakPostgres.restart} is possible (embedded only). */
  canRestart: boolean;
  /** Stop the server (fast shutdown: every session ends) and start it again on the same directory and port. */
  restart(): Promise<void>;
  /** Stop the server, or drop the database on an external one. */
  stop(): Promise<void>;
}

/** Start the soak's Postgres: embedded under `workDir/pg`, or a new database on `databaseUrl`. */
export async function startSoakPostgres(workDir: string, databaseUrl = process.env.DATABASE_URL): Promise<SoakPostgres> {
  return databaseUrl ? createExternalDatabase(databaseUrl) : startRestartableEmbedded(path.join(workDir, 'pg'));
}

async function startRestartableEmbedded(dataDir: string): Promise<SoakPostgres> {
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir, port, unsafeFast: true });
  let server: RunningPostgres | undefined = await start();
  const url = server.url;
  return {
    url,
    canRestart: true,
    async restart() {
      await server?.stop();
      server = undefined;
      server = await start();
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
  };
}

async function createExternalDatabase(serverUrl: string): Promise<SoakPostgres> {
  const name = `sfsync_soak_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(serverUrl, `create database ${name}`);
  return {
    url: withDatabase(serverUrl, name),
    canRestart: false,
    restart: () => Promise.reject(new Error('an external Postgres (DATABASE_URL) is never restarted by the soak')),
    stop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
