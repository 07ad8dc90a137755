/**
 * The SalesforceClient of a stored connection — one function for the engine
 * (start-engine.ts) and the CLI (map, mappings, import): non-secret settings
 * from the `sfsync.connections` row; secrets from the row (sealed under the
 * operator's key, or references to files/env: config/stored-secrets.ts), and
 * those not stored from the config/env. Sealed secrets open only for the name
 * and login URL they were stored for; every other secret goes only to the
 * login URL configured beside them (config/login-url.ts): the row is writable
 * by anyone who can write the database. Kept out of the CLI's eager imports:
 * jsforce costs ~0.5 s to load.
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import { assertTrustedLoginUrl } from '../config/login-url.js';
import { loadSecretKey } from '../config/secret-key.js';
import { openStoredSecrets, parseStoredSecrets, secretsUsedBy, type StoredSecrets } from '../config/stored-secrets.js';
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
  /** Stored secrets; default none (all from config/env). */
  secrets?: StoredSecrets;
}

/**
 * Whether every secret the login sends is sealed in the row: then AES-GCM
 * binds them to this connection's name and login URL, and the login URL needs
 * no match with the config's. Otherwise a secret comes from config/env or a
 * reference the row names, and is only sent to the configured login URL.
 */
export function allSecretsSealed(config: SfsyncConfig, connection: ConnectionSettings): boolean {
  const stored = connection.secrets ?? {};
  return secretsUsedBy(connection.authKind, Boolean(stored.clientSecret ?? config.salesforce.clientSecret)).every((field) => {
    const s = stored[field];
    return s !== undefined && 'sealed' in s;
  });
}

/**
 * Log in with `connection`'s settings and secrets and wrap it in the
 * SalesforceClient. Unless every secret the login sends is sealed in the row
 * ({@link allSecretsSealed}), refused before any request when the row's login
 * URL is not `salesforce.loginUrl` (unless `salesforce.trustStoredLoginUrl`).
 * A missing or wrong key fails naming the connection and the fix.
 */
export async function openClient(config: SfsyncConfig, connection: ConnectionSettings): Promise<JsforceSalesforceClient> {
  if (!allSecretsSealed(config, connection)) assertTrustedLoginUrl(config.salesforce, connection);
  const stored = connection.secrets ?? {};
  const given =
    Object.keys(stored).length > 0
      ? openStoredSecrets({ name: connection.name ?? '?', loginUrl: connection.loginUrl, secrets: stored }, loadSecretKey(config.secretKeyFile))
      : {};
  const conn = await connectSalesforce(
    {
      ...config.salesforce,
      loginUrl: connection.loginUrl,
      apiVersion: connection.apiVersion,
      authKind: connection.authKind as SfsyncConfig['salesforce']['authKind'],
      username: connection.username ?? config.salesforce.username,
      clientId: connection.clientId ?? config.salesforce.clientId,
    },
    given,
  );
  return new JsforceSalesforceClient(conn);
}

/** The settings of connection `connectionId`; `UNKNOWN_CONNECTION` when there is no such row. */
export async function readConnectionSettings(pool: pg.Pool, connectionId: string): Promise<ConnectionSettings> {
  const rows = await run(
    pool,
    sfsync
      .selectFrom('connections')
      .select(['name', 'login_url', 'api_version', 'auth_kind', 'username', 'client_id', 'secrets'])
      .where('id', '=', connectionId),
  );
  const row = rows[0];
  if (!row) throw new SfsyncError('UNKNOWN_CONNECTION', `Connection ${connectionId} does not exist; run \`sfsync connect\` first.`);
  return {
    name: row.name,
    loginUrl: row.login_url,
    apiVersion: row.api_version,
    authKind: row.auth_kind,
    username: row.username,
    clientId: row.client_id,
    secrets: parseStoredSecrets(row.name, row.secrets),
  };
}
