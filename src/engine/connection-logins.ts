/**
 * The engine's Salesforce logins, one per connection, shared by every job and
 * component of the process. A login that fails marks its connection
 * `state = 'error'` with the error in `last_error` (what `sfsync status`
 * shows), and is not tried again before a back-off (5 s, doubling to 5 min):
 * until then callers get the same error without a request, so a wrong
 * password is not retried by every poll and stream leader each second (real
 * Salesforce locks a user out after a few failed logins). Other connections
 * are untouched. The next successful login sets the connection active again.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import { isConnectionLoss } from '../db/pool.js';
import { run, sfsync } from '../db/typed-query.js';
import { isSfsyncError } from '../errors.js';
import { openClient, readConnectionSettings } from '../salesforce/open-client.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import type { ApiGovernor } from '../jobs/api-governor.js';

/** First wait after a failed login, ms; doubled after each further failure. */
export const LOGIN_RETRY_BASE_MS = 5_000;
/** Longest wait between failed logins, ms. */
export const LOGIN_RETRY_MAX_MS = 300_000;

interface Failure {
  error: unknown;
  retryAt: number;
  delayMs: number;
}

/** `salesforce(connectionId)` for the engine context: one client per connection, failed logins backed off and recorded. */
export function connectionLogins(
  pool: pg.Pool,
  config: SfsyncConfig,
  logger: Logger,
  governor: ApiGovernor,
): (connectionId: string) => Promise<SalesforceClient> {
  const clients = new Map<string, Promise<SalesforceClient>>();
  const failures = new Map<string, Failure>();
  const login = async (connectionId: string): Promise<SalesforceClient> => {
    const failed = failures.get(connectionId);
    try {
      const client = await openClient(config, await readConnectionSettings(pool, connectionId));
      governor.watch(connectionId, client);
      if (failed) {
        failures.delete(connectionId);
        await markActive(pool, connectionId).catch((error: unknown) => logger.warn({ err: error, connectionId }, 'clearing the connection error failed'));
        logger.info({ connectionId }, 'Salesforce login works again');
      }
      return client;
    } catch (error) {
      // Postgres going away is not the org's fault; the caller retries as for any query.
      if (isConnectionLoss(error) || isSfsyncError(error, 'UNKNOWN_CONNECTION')) throw error;
      const delayMs = failed ? Math.min(failed.delayMs * 2, LOGIN_RETRY_MAX_MS) : LOGIN_RETRY_BASE_MS;
      failures.set(connectionId, { error, retryAt: Date.now() + delayMs, delayMs });
      logger.error({ err: error, connectionId, retryInMs: delayMs }, 'Salesforce login failed; this connection waits, the others go on');
      await markError(pool, connectionId, error).catch((e: unknown) => logger.warn({ err: e, connectionId }, 'recording the login error failed'));
      throw error;
    }
  };
  return (connectionId) => {
    const failed = failures.get(connectionId);
    if (failed && Date.now() < failed.retryAt) return Promise.reject(failed.error);
    let client = clients.get(connectionId);
    if (!client) {
      client = login(connectionId);
      clients.set(connectionId, client);
      client.catch(() => clients.delete(connectionId));
    }
    return client;
  };
}

async function markError(pool: pg.Pool, connectionId: string, error: unknown): Promise<void> {
  const code = isSfsyncError(error) ? error.code : 'SF_LOGIN_FAILED';
  const message = (error as Error).message?.split('\n')[0] ?? String(error);
  await run(
    pool,
    sfsync
      .updateTable('connections')
      .set({ state: 'error', last_error: JSON.stringify({ code, message, at: new Date().toISOString() }), updated_at: sql<Date>`now()` })
      .where('id', '=', connectionId)
      .where('state', '<>', 'paused'),
  );
}

async function markActive(pool: pg.Pool, connectionId: string): Promise<void> {
  await run(
    pool,
    sfsync
      .updateTable('connections')
      .set({ state: 'active', last_error: null, updated_at: sql<Date>`now()` })
      .where('id', '=', connectionId)
      .where('state', '=', 'error'),
  );
}
