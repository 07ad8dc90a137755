/**
 * Open an authenticated jsforce Connection for every supported flow, with a
 * refresh function so an expired session (401) is renewed and the request
 * repeated by jsforce itself. Secrets are read at call time (env, config, or
 * `@file`), never logged and never written to the database.
 */
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import type { SalesforceSettings } from '../config/config-schema.js';
import { readSecret } from '../config/load-config.js';
import { SfsyncError } from '../errors.js';

/** The auth flow actually used: explicit `authKind`, or inferred from what is set. */
export function resolveAuthKind(settings: SalesforceSettings): NonNullable<SalesforceSettings['authKind']> {
  if (settings.authKind) return settings.authKind;
  if (settings.jwtKeyFile) return 'jwt';
  if (settings.refreshToken) return 'refresh_token';
  if (settings.password) return settings.clientId ? 'password' : 'soap';
  if (settings.clientId && settings.clientSecret) return 'client_credentials';
  throw new SfsyncError(
    'SF_NO_CREDENTIALS',
    'No Salesforce credentials: set SFSYNC_USERNAME and SFSYNC_PASSWORD (with SFSYNC_CLIENT_ID/SFSYNC_CLIENT_SECRET), or SFSYNC_JWT_KEY_FILE, or SFSYNC_REFRESH_TOKEN.',
  );
}

/** Connect and authenticate; fails with one line naming the setting to fix. */
export async function connectSalesforce(settings: SalesforceSettings): Promise<Connection> {
  const kind = resolveAuthKind(settings);
  const clientSecret = readSecret(settings.clientSecret);
  const oauth2 =
    settings.clientId && kind !== 'soap'
      ? { clientId: settings.clientId, clientSecret, loginUrl: settings.loginUrl }
      : undefined;
  const conn = new jsforce.Connection({
    loginUrl: settings.loginUrl,
    version: settings.apiVersion,
    callOptions: { client: settings.callOptionsClient },
    maxRequest: 50,
    logLevel: 'FATAL',
    ...(oauth2 ? { oauth2 } : {}),
    ...(kind === 'refresh_token' ? { refreshToken: readSecret(settings.refreshToken) } : {}),
    ...(kind === 'client_credentials' || kind === 'jwt'
      ? { refreshFn: (c: Connection, callback: (err: Error | null, token?: string) => void) => void reauthorize(c, settings, kind).then((t) => callback(null, t), (e: Error) => callback(e)) }
      : {}),
  });
  try {
    await authenticate(conn, settings, kind);
  } catch (cause) {
    throw new SfsyncError(
      'SF_AUTH_FAILED',
      `Salesforce login (${kind}) at ${settings.loginUrl} failed: ${(cause as Error).message.split('\n')[0]}; check SFSYNC_USERNAME/SFSYNC_PASSWORD/SFSYNC_CLIENT_ID/SFSYNC_CLIENT_SECRET and SFSYNC_LOGIN_URL.`,
      { cause },
    );
  }
  return conn;
}

async function authenticate(conn: Connection, settings: SalesforceSettings, kind: ReturnType<typeof resolveAuthKind>): Promise<void> {
  switch (kind) {
    case 'password':
    case 'soap':
      await conn.login(required(settings.username, 'SFSYNC_USERNAME'), required(readSecret(settings.password), 'SFSYNC_PASSWORD'));
      return;
    case 'refresh_token': {
      // The Connection was built with the refresh token, so jsforce's own
      // delegate renews on 401; this is the first renewal.
      const token = required(readSecret(settings.refreshToken), 'SFSYNC_REFRESH_TOKEN');
      await conn.authorize({ grant_type: 'refresh_token', refresh_token: token });
      if (!conn.refreshToken) conn.refreshToken = token;
      return;
    }
    case 'client_credentials':
    case 'jwt':
      await reauthorize(conn, settings, kind);
      return;
  }
}

/** Client credentials and JWT have no refresh token: re-authorize with the same grant. */
async function reauthorize(conn: Connection, settings: SalesforceSettings, kind: 'client_credentials' | 'jwt'): Promise<string> {
  const params: { grant_type: string; [name: string]: string } =
    kind === 'jwt'
      ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwtAssertion(settings) }
      : { grant_type: 'client_credentials' };
  await conn.authorize(params);
  return required(conn.accessToken ?? undefined, 'an access token from Salesforce');
}

/** An RS256-signed JWT bearer assertion (iss = client id, sub = username, aud = login URL, 3 minutes). */
export function jwtAssertion(settings: SalesforceSettings, nowMs = Date.now()): string {
  const keyFile = required(settings.jwtKeyFile, 'SFSYNC_JWT_KEY_FILE');
  let key: string;
  try {
    key = readFileSync(keyFile, 'utf8');
  } catch (cause) {
    throw new SfsyncError('SECRET_UNREADABLE', `Cannot read the JWT key file ${keyFile}; check SFSYNC_JWT_KEY_FILE.`, { cause });
  }
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT' });
  const claims = encode({
    iss: required(settings.clientId, 'SFSYNC_CLIENT_ID'),
    sub: required(settings.username, 'SFSYNC_USERNAME'),
    aud: settings.loginUrl,
    exp: Math.floor(nowMs / 1000) + 180,
  });
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function required(value: string | undefined, envName: string): string {
  if (!value) throw new SfsyncError('SF_NO_CREDENTIALS', `${envName} is not set; set it (or the matching key in the config file) for this login flow.`);
  return value;
}
