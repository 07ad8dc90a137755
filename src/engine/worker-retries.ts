/**
 * graphile-worker records a job's outcome (complete, fail) once, through a
 * retry loop that only retries the SQLSTATEs in its RETRYABLE_ERROR_CODES
 * table, and it does not await that promise: any other error is an unhandled
 * rejection, and Node ends the process. When Postgres restarts, the query
 * running on a pooled connection fails with 57P01 (admin shutdown) or a reset
 * socket, so an engine that was recording a job exited (the 600 s soak saw it
 * once). The refused connect after that is retried by the worker pool itself
 * (db/pool.ts connectRetryMs).
 *
 * This adds the connection-loss codes to that table, with the back-off
 * graphile-worker uses for 57P03 (server starting): each retry takes a new
 * connection from the pool. The table is graphile-worker's internal (its
 * dist/lib.js, pinned at 0.17.3); `test/engine/postgres-restart.test.ts`
 * exercises the path.
 */
import { RETRYABLE_ERROR_CODES } from 'graphile-worker/dist/lib.js';

const CONNECTION_LOSS = ['57P01', '57P02', '08000', '08003', '08006', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE'];

/** Make graphile-worker retry job bookkeeping on connection loss (idempotent). */
export function retryWorkerQueriesOnConnectionLoss(): void {
  for (const code of CONNECTION_LOSS) RETRYABLE_ERROR_CODES[code] ??= { minDelay: 1000, maxDelay: 30_000 };
}
