/**
 * The connection pool and scoped helpers. Every borrowed client is returned,
 * every transaction ends, whatever the callback throws.
 */
import pg from 'pg';

/** Options of {@link createPool}. */
export interface PoolOptions {
  /** Max connections (default 10). */
  max?: number;
  /** Shown in pg_stat_activity (default `sfsync`). */
  applicationName?: string;
  /** Where a lost connection is reported (default: one line on stderr). The engine passes its logger. */
  onLost?: (message: string, error: Error) => void;
}

/** A pg Pool for sfsync's work; lost connections are reported, not thrown. */
export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'sfsync',
  });
  const report = options.onLost ?? ((message: string, error: Error) => console.error(`sfsync: ${message}: ${error.message}`));
  // An idle client lost its connection (server restart): the pool drops it and
  // the next checkout reconnects. Nothing to do but say so.
  pool.on('error', (error) => report('idle Postgres connection lost', error));
  // A checked-out client whose connection dies emits 'error'; unhandled, that
  // would crash the process. The query in flight fails and its caller retries.
  pool.on('connect', (client) => client.on('error', (error) => report('Postgres connection lost', error)));
  return pool;
}

/** Run `fn` with a client borrowed from `pool`, always released. */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/** Run `fn` in a transaction: commit when it resolves, roll back when it throws. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('begin');
    try {
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  });
}
