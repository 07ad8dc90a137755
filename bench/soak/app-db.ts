/**
 * The Postgres side's database access, written as a careful app would: each
 * write is one transaction; a deadlock or serialization failure is retried;
 * when the connection drops (the `pg-restart` fault) the app waits for the
 * server, and before repeating a write whose COMMIT may have landed it asks
 * the database (`settle`) whether it did, so an insert is never made twice
 * and never counted when it did not happen.
 */
import pg from 'pg';

/** Postgres/Node errors meaning "the connection is gone; the outcome of what was in flight is unknown". */
const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
/** Errors after which the transaction surely rolled back and may simply run again. */
const RETRY_CODES = new Set(['40P01', '40001']);

/** Whether `error` is a lost connection. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e.code !== undefined && CONNECTION_CODES.has(e.code)) return true;
  return /Connection terminated|connection error|terminating connection|Client was closed|not queryable|timeout exceeded when trying to connect/i.test(
    e.message ?? '',
  );
}

/** The code to count an error under. */
export function codeOf(error: unknown): string {
  const e = error as { code?: string };
  if (isConnectionError(error)) return 'connection-lost';
  return e.code ?? 'error';
}

/** Options of {@link AppDb.write}. */
export interface WriteOptions<T> {
  /** After a lost connection: the result if the transaction committed, undefined if it did not (then it runs again). */
  settle?: (db: AppDb) => Promise<T | undefined>;
}

/** A pool for the workload with retry and settle logic. */
export class AppDb {
  readonly pool: pg.Pool;

  /** `onRetry` is told the code of every error that made a write run again. */
  constructor(
    url: string,
    private readonly onRetry: (code: string) => void,
    max = 4,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max, application_name: 'sfsync soak app', connectionTimeoutMillis: 5_000 });
    this.pool.on('error', () => undefined); // idle clients die with the server; the next checkout reconnects
    // A checked-out client whose connection dies (between two statements of a transaction) emits
    // 'error' too; unhandled, it would end the soak. The statement in flight fails and is retried.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** A read, retried until the server answers (up to `timeoutMs`). */
  async read<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], timeoutMs = 90_000): Promise<R[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return (await this.pool.query<R>(sql, params)).rows;
      } catch (error) {
        if (!isConnectionError(error) || Date.now() > deadline) throw error;
        await pause(250);
      }
    }
  }

  /** Run `fn` in one transaction; see the file comment for the retries. Other errors are thrown. */
  async write<T>(fn: (client: pg.PoolClient) => Promise<T>, options: WriteOptions<T> = {}, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        await client.query('begin');
        const result = await fn(client);
        await client.query('commit');
        client.release();
        return result;
      } catch (error) {
        const connectionLost = isConnectionError(error);
        if (client) {
          if (!connectionLost) await client.query('rollback').catch(() => undefined);
          client.release(connectionLost ? true : undefined);
        }
        if (Date.now() > deadline) throw error;
        if (RETRY_CODES.has((error as { code?: string }).code ?? '')) {
          this.onRetry((error as { code: string }).code);
          continue;
        }
        if (!connectionLost) throw error;
        this.onRetry('connection-lost');
        if (options.settle) {
          const settled = await this.retryUntilUp(() => options.settle!(this), deadline);
          if (settled !== undefined) {
            this.onRetry('commit-settled-as-done');
            return settled;
          }
        } else {
          await pause(250);
        }
      }
    }
  }

  /** Close the pool. */
  async end(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async retryUntilUp<R>(fn: () => Promise<R>, deadline: number): Promise<R> {
    for (;;) {
      try {
        return await fn();
      } catch (error) {
        if (!isConnectionError(error) || Date.now() > deadline) throw error;
        await pause(250);
      }
    }
  }
}

/** A plain timer wait (pacing and retry back-off only). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
