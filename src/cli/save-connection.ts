/**
 * Store a tested Salesforce connection in `sfsync.connections`: its settings,
 * and its secrets only sealed or as references (config/stored-secrets.ts).
 * {@link connectAndSave} is the one path from credentials to a stored row,
 * for `sfsync connect` and for `sfsync map` with none stored (auto-connect.ts).
 */
import type { Connection } from 'jsforce';
import { sql } from 'kysely';
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import { parseStoredSecrets, type GivenSecret, type SecretField, type StoredSecrets } from '../config/stored-secrets.js';
import { run, sfsync } from '../db/typed-query.js';

/** A connection row as `sfsync connect --json` prints it. */
export interface SavedConnection {
  id: number;
  name: string;
  loginUrl: string;
  instanceUrl: string | null;
  apiVersion: string;
  authKind: string;
  username: string | null;
  clientId: string | null;
  apiUsage: number | null;
  apiLimit: number | null;
  /** Per stored secret: `sealed`, or the reference it is read from; never a value. */
  secrets: Record<string, string>;
}

/** What to store. */
export interface ConnectionInput {
  name: string;
  loginUrl: string;
  instanceUrl: string | null;
  apiVersion: string;
  authKind: NonNullable<SfsyncConfig['salesforce']['authKind']>;
  username: string | null;
  clientId: string | null;
  usage: { used: number; max: number } | undefined;
  /** Replaces what the connection stored before: the row describes its last successful `connect`. */
  secrets: StoredSecrets;
}

/**
 * Log in with `config.salesforce` (and the secrets `given` as flags), check
 * the API version, and store the connection as `name`, with the secrets
 * {@link secretsToStore} picks: sealed under the key, else only the flags'
 * references. The key is read before any request, so a bad one fails first.
 */
export async function connectAndSave(
  pool: pg.Pool,
  config: SfsyncConfig,
  name: string,
  given: Partial<Record<SecretField, GivenSecret>> = {},
): Promise<SavedConnection> {
  // Loaded here, not at start-up: jsforce is heavy and most commands never need it.
  const { checkApiVersion, connectSalesforce, resolveAuthKind } = await import('../salesforce/connect.js');
  const { secretsToStore } = await import('./connection-secrets.js');
  const { loadSecretKey } = await import('../config/secret-key.js');
  const settings = config.salesforce;
  const values = Object.fromEntries(Object.entries(given).flatMap(([field, secret]) => (secret.value ? [[field, secret.value]] : [])));
  const authKind = resolveAuthKind(settings, values);
  // Before any request: an unreadable or malformed key fails here, not after a login.
  loadSecretKey(config.secretKeyFile);
  const conn = await connectSalesforce(settings, values);
  await checkApiVersion(conn, settings.apiVersion);
  const secrets = secretsToStore(config, { name, loginUrl: settings.loginUrl, authKind }, given);
  const usage = await readDailyApiUsage(conn);
  return saveConnection(pool, {
    name,
    loginUrl: settings.loginUrl,
    instanceUrl: conn.instanceUrl || null,
    apiVersion: settings.apiVersion,
    authKind,
    username: settings.username ?? null,
    clientId: settings.clientId ?? null,
    usage,
    secrets,
  });
}

/** The org's daily API usage from `/limits` (one call); undefined when the org does not say. */
export async function readDailyApiUsage(conn: Connection): Promise<{ used: number; max: number } | undefined> {
  try {
    const limits = (await conn.limits()) as unknown as Record<string, { Max: number; Remaining: number } | undefined>;
    const daily = limits.DailyApiRequests;
    return daily ? { used: daily.Max - daily.Remaining, max: daily.Max } : undefined;
  } catch {
    return undefined;
  }
}

/** Insert or update (by name) the connection row; a reconnect re-activates it. */
export async function saveConnection(pool: pg.Pool, input: ConnectionInput): Promise<SavedConnection> {
  const rows = await run(
    pool,
    sfsync
      .insertInto('connections')
      .values({
        name: input.name,
        login_url: input.loginUrl,
        instance_url: input.instanceUrl,
        api_version: input.apiVersion,
        auth_kind: input.authKind,
        username: input.username,
        client_id: input.clientId,
        api_usage: input.usage?.used ?? null,
        api_limit: input.usage?.max ?? null,
        api_usage_at: input.usage ? sql<Date>`now()` : null,
        secrets: JSON.stringify(input.secrets),
      })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({
          login_url: eb.ref('excluded.login_url'),
          instance_url: eb.ref('excluded.instance_url'),
          api_version: eb.ref('excluded.api_version'),
          auth_kind: eb.ref('excluded.auth_kind'),
          username: eb.ref('excluded.username'),
          client_id: eb.ref('excluded.client_id'),
          secrets: eb.ref('excluded.secrets'),
          api_usage: eb.fn.coalesce('excluded.api_usage', 'connections.api_usage'),
          api_limit: eb.fn.coalesce('excluded.api_limit', 'connections.api_limit'),
          api_usage_at: eb.fn.coalesce('excluded.api_usage_at', 'connections.api_usage_at'),
          state: 'active',
          last_error: null,
          updated_at: sql<Date>`now()`,
        })),
      )
      .returning((eb) => [
        eb.cast<number>('id', 'integer').as('id'),
        'name',
        'login_url',
        'instance_url',
        'api_version',
        'auth_kind',
        'username',
        'client_id',
        'api_usage',
        'api_limit',
        'secrets',
      ]),
  );
  const r = rows[0]!;
  return {
    id: r.id,
    name: r.name,
    loginUrl: r.login_url,
    instanceUrl: r.instance_url,
    apiVersion: r.api_version,
    authKind: r.auth_kind,
    username: r.username,
    clientId: r.client_id,
    apiUsage: r.api_usage,
    apiLimit: r.api_limit,
    secrets: Object.fromEntries(Object.entries(parseStoredSecrets(r.name, r.secrets)).map(([field, s]) => [field, 'sealed' in s ? 'sealed' : s.ref])),
  };
}
