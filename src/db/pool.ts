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
}

/** A pg Pool for sfsync's work; errors of idle clients are logged, not thrown. */
export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'sfsync',
  });
  pool.on('error', (error) => {
    // An idle client lost its connection (server restart): the pool drops it and
    // the next checkout reconnects. Nothing to do but say so.
    console.error(`sfsync: idle Postgres connection lost: ${error.message}`);
  });
  pool.on('connect', (client) => {
    // A checked-out client whose connection dies emits 'error'; unhandled, that
    // would crash the process. The query in flight fails and its caller retries.
    client.on('error', (error) => console.error(`sfsync: Postgres connection lost: ${error.message}`));
  });
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
