/**
 * The SalesforceClient of a stored connection — one function for the engine
 * (start-engine.ts) and the CLI (map, mappings, import): non-secret settings
 * from the `sfsync.connections` row, secrets from the config/env (never
 * stored in clear). Those secrets go only to the login URL configured beside
 * them (config/login-url.ts): the row is writable by anyone who can write the
 * database. Kept out of the CLI's eager imports: jsforce costs ~0.5 s to load.
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import { assertTrustedLoginUrl } from '../config/login-url.js';
import { run, sfsync } from '../db/typed-query.js';
import { SfsyncError } from '../errors.js';
import { connectSalesforce } from './connect.js';
import { JsforceSalesforceClient } from './jsforce-client.js';

/** The non-secret settings of a `sfsync.connections` row. */
export interface ConnectionSettings {
  /** For messages. */
  name?: string;
  loginUrl: string;
  apiVersion: string;
  authKind: string;
  /** Null: taken from config/env. */
  username: string | null;
  /** Null: taken from config/env. */
  clientId: string | null;
}

/**
 * Log in with `connection`'s settings (secrets from config/env) and wrap it in
 * the SalesforceClient. Refused before any request when the row's login URL is
 * not `salesforce.loginUrl` (unless `salesforce.trustStoredLoginUrl`). Secrets
 * stored per connection, when they come, will be bound to the connection's
 * name and login URL by AEAD instead of by this comparison.
 */
export async function openClient(config: SfsyncConfig, connection: ConnectionSettings): Promise<JsforceSalesforceClient> {
  assertTrustedLoginUrl(config.salesforce, connection);
  const conn = await connectSalesforce({
    ...config.salesforce,
    loginUrl: connection.loginUrl,
    apiVersion: connection.apiVersion,
    authKind: connection.authKind as SfsyncConfig['salesforce']['authKind'],
    username: connection.username ?? config.salesforce.username,
    clientId: connection.clientId ?? config.salesforce.clientId,
  });
  return new JsforceSalesforceClient(conn);
}

/** The settings of connection `connectionId`; `UNKNOWN_CONNECTION` when there is no such row. */
export async function readConnectionSettings(pool: pg.Pool, connectionId: string): Promise<ConnectionSettings> {
  const rows = await run(
    pool,
    sfsync.selectFrom('connections').select(['name', 'login_url', 'api_version', 'auth_kind', 'username', 'client_id']).where('id', '=', connectionId),
  );
  const row = rows[0];
  if (!row) throw new SfsyncError('UNKNOWN_CONNECTION', `Connection ${connectionId} does not exist; run \`sfsync connect\` first.`);
  return { name: row.name, loginUrl: row.login_url, apiVersion: row.api_version, authKind: row.auth_kind, username: row.username, clientId: row.client_id };
}
