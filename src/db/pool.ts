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
  /**
   * Keep trying a connection Postgres refuses (restart, failover) this long,
   * 0.1 s doubling to 2 s between tries, before `connect()` fails (default 0:
   * fail at once). The engine gives graphile-worker's pool 120 s: it records a
   * job's outcome once and gives up on the first refused connect, shutting its
   * worker down.
   */
  connectRetryMs?: number;
}

/** Errors of a server that is not there yet (restarting, failing over), not of a bad request. */
const CONNECT_RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', '57P03', '57P01', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when `error`, or an error it wraps (`cause`), says the connection to
 * Postgres went away or could not be made (worth trying again), not that a
 * statement or a password was wrong.
 */
export function isConnectionLoss(error: unknown): boolean {
  for (let e = error as { code?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (CONNECT_RETRYABLE.has(e.code ?? '') || /Connection terminated|connection error|not queryable/i.test(e.message ?? '')) return true;
  }
  return false;
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
  if (options.connectRetryMs) retryConnect(pool, options.connectRetryMs);
  return pool;
}

/** Make the promise form of `pool.connect()` retry refused connections for `forMs` (see PoolOptions.connectRetryMs). */
function retryConnect(pool: pg.Pool, forMs: number): void {
  const original = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  const retrying = async (): Promise<pg.PoolClient> => {
    const deadline = Date.now() + forMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        return tagConnectionLoss((await original()) as pg.PoolClient);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (!CONNECT_RETRYABLE.has(code) || Date.now() + delay > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
  // The callback form (pg-pool's own internals) is left as it is.
  pool.connect = ((...args: unknown[]) => (args.length > 0 ? original(...args) : retrying())) as typeof pool.connect;
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

const tagged = new WeakSet<pg.PoolClient>();

/**
 * A query on a connection the server dropped fails with pg's "Connection
 * terminated unexpectedly", which has no code; a caller that retries by code
 * (graphile-worker's job bookkeeping, engine/worker-retries.ts) would not
 * retry it. Such errors get SQLSTATE 08006 (connection_failure).
 */
function tagConnectionLoss(client: pg.PoolClient): pg.PoolClient {
  if (tagged.has(client)) return client;
  tagged.add(client);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const result = query(...args);
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      const e = error as { code?: string; message?: string };
      if (e && !e.code && isConnectionLoss(e)) e.code = '08006';
      throw error;
    });
  }) as typeof client.query;
  return client;
}
