/**
 * Stored Salesforce connections as CLI commands pick them (`--connection`);
 * logging in is salesforce/open-client.ts (shared with the engine), loaded only when needed.
 */
import type pg from 'pg';
import { parseStoredSecrets, type StoredSecrets } from '../config/stored-secrets.js';
import { SfsyncError } from '../errors.js';

/** A stored connection, as commands need it. */
export interface StoredConnection {
  id: string;
  name: string;
  loginUrl: string;
  apiVersion: string;
  authKind: string;
  username: string | null;
  clientId: string | null;
  /** What it stores of its secrets (sealed, or references). */
  secrets: StoredSecrets;
}

/** The connection named `name`; with no name, the only one (or the one named `default`). */
export async function findConnection(pool: pg.Pool, name: string | undefined): Promise<StoredConnection> {
  // Imported when run: kysely would cost every command's startup (map, mappings and import load this module eagerly).
  const { run, sfsync } = await import('../db/typed-query.js');
  const rows = await run(
    pool,
    sfsync.selectFrom('connections').select(['id', 'name', 'login_url', 'api_version', 'auth_kind', 'username', 'client_id', 'secrets']).orderBy('id'),
  );
  if (rows.length === 0) throw new SfsyncError('NO_CONNECTION', 'No Salesforce connection is stored yet; run `sfsync connect` first.');
  const row = name !== undefined ? rows.find((r) => r.name === name) : rows.length === 1 ? rows[0] : rows.find((r) => r.name === 'default');
  if (!row) {
    const known = rows.map((r) => r.name).join(', ');
    throw new SfsyncError(
      'UNKNOWN_CONNECTION',
      name ? `No connection named "${name}" (known: ${known}); check --connection.` : `Several connections exist (${known}); pick one with --connection.`,
    );
  }
  return {
    id: row.id,
    name: row.name,
    loginUrl: row.login_url,
    apiVersion: row.api_version,
    authKind: row.auth_kind,
    username: row.username,
    clientId: row.client_id,
    secrets: parseStoredSecrets(row.name, row.secrets),
  };
}
