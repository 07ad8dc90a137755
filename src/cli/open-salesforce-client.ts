/**
 * The Salesforce client of a stored connection, for CLI commands that ask
 * Salesforce something (map, import): non-secret settings from the
 * `sfsync.connections` row, secrets from the config/env, as the engine does.
 */
import type { SfsyncConfig } from '../config/config-schema.js';
import { connectSalesforce } from '../salesforce/connect.js';
import { JsforceSalesforceClient } from '../salesforce/jsforce-client.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import type { StoredConnection } from './open-salesforce.js';

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
