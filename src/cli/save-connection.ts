/**
 * Store a tested Salesforce connection in `sfsync.connections`: only what is
 * not secret (docs/schema.md, connections: secrets come from env or files at runtime).
 */
import type { Connection } from 'jsforce';
import type pg from 'pg';

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
}

/** What to store. */
export interface ConnectionInput {
  name: string;
  loginUrl: string;
  instanceUrl: string | null;
  apiVersion: string;
  authKind: string;
  username: string | null;
  clientId: string | null;
  usage: { used: number; max: number } | undefined;
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
  const { rows } = await pool.query(
    `insert into sfsync.connections as c (name, login_url, instance_url, api_version, auth_kind, username, client_id, api_usage, api_limit, api_usage_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $8::int is null then null else now() end)
     on conflict (name) do update set
       login_url = excluded.login_url, instance_url = excluded.instance_url, api_version = excluded.api_version,
       auth_kind = excluded.auth_kind, username = excluded.username, client_id = excluded.client_id,
       api_usage = coalesce(excluded.api_usage, c.api_usage), api_limit = coalesce(excluded.api_limit, c.api_limit),
       api_usage_at = coalesce(excluded.api_usage_at, c.api_usage_at),
       state = 'active', last_error = null, updated_at = now()
     returning id::int, name, login_url, instance_url, api_version, auth_kind, username, client_id, api_usage, api_limit`,
    [
      input.name,
      input.loginUrl,
      input.instanceUrl,
      input.apiVersion,
      input.authKind,
      input.username,
      input.clientId,
      input.usage?.used ?? null,
      input.usage?.max ?? null,
    ],
  );
  const r = rows[0];
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
  };
}
