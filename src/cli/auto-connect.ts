/**
 * `sfsync map` with no connection stored: when Salesforce credentials are
 * configured (SFSYNC_* or the config file), log in with them and store the
 * connection through `sfsync connect`'s own path (connectAndSave), instead
 * of refusing. Refusing only added a step: the credentials are the same ones
 * `connect` would read, and the login is tested either way before anything is
 * mapped. With no credentials, or with connections stored but none matching,
 * it still refuses.
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import { isSfsyncError, SfsyncError } from '../errors.js';
import { findConnection, type StoredConnection } from './open-salesforce.js';

/** The connection a command asked for, and whether it was stored just now. */
export interface ResolvedConnection {
  connection: StoredConnection;
  created: boolean;
}

/** {@link findConnection}, or, when none is stored and credentials are configured, connect and store one named `name` (default `default`). */
export async function findOrConnect(pool: pg.Pool, config: SfsyncConfig, name: string | undefined): Promise<ResolvedConnection> {
  try {
    return { connection: await findConnection(pool, name), created: false };
  } catch (error) {
    if (!isSfsyncError(error, 'NO_CONNECTION')) throw error;
  }
  const { resolveAuthKind } = await import('../salesforce/connect.js');
  try {
    resolveAuthKind(config.salesforce);
  } catch {
    throw new SfsyncError(
      'NO_CONNECTION',
      'No Salesforce connection is stored and no credentials are configured; set SFSYNC_USERNAME and SFSYNC_PASSWORD (or another flow, see `sfsync connect --help`), then run this again or `sfsync connect`.',
    );
  }
  const { connectAndSave } = await import('./save-connection.js');
  // As `sfsync connect` with no secret flags: secrets sealed from the config/env under a key, else nothing stored.
  const saved = await connectAndSave(pool, config, name ?? 'default');
  return { connection: await findConnection(pool, saved.name), created: true };
}

/** Undo {@link findOrConnect}'s new connection when the command then failed (nothing half-applied); kept if a mapping uses it. */
export async function forgetNewConnection(pool: pg.Pool, resolved: ResolvedConnection | undefined): Promise<void> {
  if (!resolved?.created) return;
  const { run, sfsync } = await import('../db/typed-query.js');
  await run(
    pool,
    sfsync
      .deleteFrom('connections')
      .where('id', '=', resolved.connection.id)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('mappings').select(eb.lit(1).as('one')).whereRef('mappings.connection_id', '=', 'connections.id')))),
  );
}
