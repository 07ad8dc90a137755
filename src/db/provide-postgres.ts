/**
 * One way to get a Postgres for every caller (CLI, demo, tests, benchmarks):
 * - `DATABASE_URL` (or `databaseUrl`) when set: an external server, never stopped by us;
 * - `container: true`: a testcontainers Postgres (needs Docker);
 * - otherwise an embedded Postgres: persistent under `dataDir` (the CLI uses
 *   `./.sfsync/pg`), or throw-away under the OS temp dir when `temporary` is set.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startContainerPostgres } from './container-postgres.js';
import type { RunningPostgres } from './embedded-postgres.js';

/** Options of {@link providePostgres}. */
export interface ProvidePostgresOptions {
  /** An existing server; default `process.env.DATABASE_URL`. */
  databaseUrl?: string;
  /** Ask for a container instead of the embedded server. */
  container?: boolean;
  /** Embedded, persistent: the cluster directory. Default `./.sfsync/pg`. */
  dataDir?: string;
  /** Embedded, throw-away: a new directory under the OS temp dir, removed on stop. */
  temporary?: boolean;
  /** Throw-away, but with fsync on, as a real server (benchmarks of commit cost). Default: fsync off. */
  durable?: boolean;
}

/** Default directory of the CLI's embedded cluster. */
export const DEFAULT_DATA_DIR = path.join('.sfsync', 'pg');

/** Get a Postgres server; `stop()` stops (and for temporary ones removes) what was started here. */
export async function providePostgres(options: ProvidePostgresOptions = {}): Promise<RunningPostgres> {
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  if (databaseUrl) return { url: databaseUrl, kind: 'external', stop: async () => undefined };
  if (options.container) return startContainerPostgres();
  // Imported only when needed: most commands run against DATABASE_URL or an already running cluster.
  const { removeDir, startEmbeddedPostgres } = await import('./embedded-postgres.js');
  if (!options.temporary) return startEmbeddedPostgres({ dataDir: options.dataDir ?? DEFAULT_DATA_DIR });
  const root = await mkdtemp(path.join(tmpdir(), 'sfsync-pg-'));
  try {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'data'), persistent: false, unsafeFast: !options.durable });
    return {
      ...server,
      async stop() {
        try {
          await server.stop();
        } finally {
          await removeDir(root);
        }
      },
    };
  } catch (error) {
    await removeDir(root);
    throw error;
  }
}

/** The same server's URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
