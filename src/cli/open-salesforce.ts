/**
 * The Salesforce client of a stored connection, for CLI commands that ask
 * Salesforce something (map, import): non-secret settings from the
 * `sfsync.connections` row, secrets from the config/env, as the engine does.
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import { SfsyncError } from '../errors.js';
import { connectSalesforce } from '../salesforce/connect.js';
import { JsforceSalesforceClient } from '../salesforce/jsforce-client.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';

/** A stored connection, as commands need it. */
export interface StoredConnection {
  id: string;
  name: string;
  loginUrl: string;
  apiVersion: string;
  authKind: string;
  username: string | null;
  clientId: string | null;
}

/** The connection named `name`; with no name, the only one (or the one named `default`). */
export async function findConnection(pool: pg.Pool, name: string | undefined): Promise<StoredConnection> {
  const { rows } = await pool.query<{ id: string; name: string; login_url: string; api_version: string; auth_kind: string; username: string | null; client_id: string | null }>(
    'select id::text, name, login_url, api_version, auth_kind, username, client_id from sfsync.connections order by id',
  );
  if (rows.length === 0) throw new SfsyncError('NO_CONNECTION', 'No Salesforce connection is stored yet; run `sfsync connect` first.');
  const row = name !== undefined ? rows.find((r) => r.name === name) : rows.length === 1 ? rows[0] : rows.find((r) => r.name === 'default');
  if (!row) {
    const known = rows.map((r) => r.name).join(', ');
    throw new SfsyncError('UNKNOWN_CONNECTION', name ? `No connection named "${name}" (known: ${known}); check --connection.` : `Several connections exist (${known}); pick one with --connection.`);
  }
  return { id: row.id, name: row.name, loginUrl: row.login_url, apiVersion: row.api_version, authKind: row.auth_kind, username: row.username, clientId: row.client_id };
}

/** Log in as the stored connection (secrets from config/env) and wrap it in the SalesforceClient. */
export async function openSalesforce(config: SfsyncConfig, connection: StoredConnection): Promise<SalesforceClient> {
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
