/**
 * The database a CLI command works on: `databaseUrl` (DATABASE_URL) when set;
 * otherwise the embedded Postgres under `<dataDir>/pg` — reusing the server
 * when another sfsync process (`sfsync start`, the demo) already runs it, so
 * `sfsync status` works beside a running engine instead of failing on the
 * cluster's lock file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SfsyncConfig } from '../config/config-schema.js';
import { EMBEDDED_PASSWORD, EMBEDDED_USER, type RunningPostgres } from '../db/embedded-postgres.js';
import { providePostgres } from '../db/provide-postgres.js';

/** The embedded cluster's directory for a config. */
export function embeddedPgDir(config: SfsyncConfig): string {
  return path.resolve(config.dataDir, 'pg');
}

/** Open the command's Postgres; `stop()` stops only a server started here. */
export async function openCliPostgres(config: SfsyncConfig): Promise<RunningPostgres> {
  if (config.databaseUrl) return providePostgres({ databaseUrl: config.databaseUrl });
  const running = runningEmbeddedPort(embeddedPgDir(config));
  if (running !== undefined) {
    return { url: embeddedUrl(running), kind: 'embedded', stop: async () => undefined };
  }
  return providePostgres({ databaseUrl: '', dataDir: embeddedPgDir(config) });
}

/** The URL of an embedded cluster listening on `port`. */
export function embeddedUrl(port: number): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** The port of a live postmaster owning `dataDir` (from postmaster.pid), if any. */
export function runningEmbeddedPort(dataDir: string): number | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch (error) {
    // EPERM: alive but owned by another user (the `postgres` OS user when we run as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? port : undefined;
  }
}
