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
import type { SecretValues } from '../config/stored-secrets.js';
import { isSfsyncError, SfsyncError } from '../errors.js';

/** Where each secret may be set, for messages about it. */
const SECRET_SETTINGS = {
  password: 'salesforce.password (SFSYNC_PASSWORD, --password)',
  clientSecret: 'salesforce.clientSecret (SFSYNC_CLIENT_SECRET, --client-secret)',
  refreshToken: 'salesforce.refreshToken (SFSYNC_REFRESH_TOKEN, --refresh-token)',
} as const;

/**
 * The auth flow actually used: explicit `authKind`, or inferred from what is
 * set. A password with a client id but no client secret is SOAP: that is
 * what jsforce does then, and `connect` must store the flow it used.
 */
export function resolveAuthKind(settings: SalesforceSettings, given: SecretValues = {}): NonNullable<SalesforceSettings['authKind']> {
  if (settings.authKind) return settings.authKind;
  const clientSecret = given.clientSecret ?? settings.clientSecret;
  if (given.jwtKey ?? settings.jwtKeyFile) return 'jwt';
  if (given.refreshToken ?? settings.refreshToken) return 'refresh_token';
  if (given.password ?? settings.password) return settings.clientId && clientSecret ? 'password' : 'soap';
  if (settings.clientId && clientSecret) return 'client_credentials';
  throw new SfsyncError(
    'SF_NO_CREDENTIALS',
    'No Salesforce credentials: set SFSYNC_USERNAME and SFSYNC_PASSWORD (with SFSYNC_CLIENT_ID/SFSYNC_CLIENT_SECRET), or SFSYNC_JWT_KEY_FILE, or SFSYNC_REFRESH_TOKEN.',
  );
}

/** The secrets a flow needs, read (from `@file`s too) before any request, so a bad file is named as such, not as a failed login. */
interface Secrets {
  password?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** A stored JWT key's PEM; unset: read settings.jwtKeyFile at each assertion. */
  jwtKey?: string;
}

/** `given` (a connection's stored secrets, already opened) wins over the settings' value of the same secret. */
function readSecrets(settings: SalesforceSettings, kind: ReturnType<typeof resolveAuthKind>, given: SecretValues): Secrets {
  const usesOAuth = kind !== 'soap';
  const secrets: Secrets = {};
  if (kind === 'password' || kind === 'soap')
    secrets.password = required(given.password ?? readSecret(settings.password, SECRET_SETTINGS.password), 'SFSYNC_PASSWORD');
  if (usesOAuth && (given.clientSecret ?? settings.clientSecret) !== undefined)
    secrets.clientSecret = given.clientSecret ?? readSecret(settings.clientSecret, SECRET_SETTINGS.clientSecret);
  // The OAuth password and client credentials flows need the client secret: without it jsforce quietly logs in by SOAP.
  if (kind === 'password' || kind === 'client_credentials') {
    required(settings.clientId, 'SFSYNC_CLIENT_ID');
    required(secrets.clientSecret, 'SFSYNC_CLIENT_SECRET');
  }
  if (kind === 'refresh_token')
    secrets.refreshToken = required(given.refreshToken ?? readSecret(settings.refreshToken, SECRET_SETTINGS.refreshToken), 'SFSYNC_REFRESH_TOKEN');
  if (kind === 'jwt' && given.jwtKey !== undefined) secrets.jwtKey = given.jwtKey;
  return secrets;
}

/**
 * Connect and authenticate; fails with one line naming the setting to fix.
 * `given` holds secrets already read (a stored connection's, or `connect`'s
 * flags); each wins over the settings' value of the same secret.
 */
export async function connectSalesforce(settings: SalesforceSettings, given: SecretValues = {}): Promise<Connection> {
  const kind = resolveAuthKind(settings, given);
  const secrets = readSecrets(settings, kind, given);
  const oauth2 =
    settings.clientId && kind !== 'soap' ? { clientId: settings.clientId, clientSecret: secrets.clientSecret, loginUrl: settings.loginUrl } : undefined;
  const conn = new jsforce.Connection({
    loginUrl: settings.loginUrl,
    version: settings.apiVersion,
    callOptions: { client: settings.callOptionsClient },
    maxRequest: 50,
    logLevel: 'FATAL',
    ...(oauth2 ? { oauth2 } : {}),
    ...(kind === 'refresh_token' ? { refreshToken: secrets.refreshToken } : {}),
    ...(kind === 'client_credentials' || kind === 'jwt'
      ? {
          refreshFn: (c: Connection, callback: (err: Error | null, token?: string) => void) =>
            void reauthorize(c, settings, kind, secrets.jwtKey).then(
              (t) => callback(null, t),
              (e: Error) => callback(e),
            ),
        }
      : {}),
  });
  try {
    await authenticate(conn, settings, kind, secrets);
  } catch (cause) {
    // Our own errors (an unreadable key file, a missing setting) already name their fix.
    if (isSfsyncError(cause)) throw cause;
    throw new SfsyncError(
      'SF_AUTH_FAILED',
      `Salesforce login (${kind}) at ${settings.loginUrl} failed: ${(cause as Error).message.split('\n')[0]}; check SFSYNC_USERNAME/SFSYNC_PASSWORD/SFSYNC_CLIENT_ID/SFSYNC_CLIENT_SECRET and SFSYNC_LOGIN_URL.`,
      { cause },
    );
  }
  return conn;
}

/**
 * Refuse an API version the org does not serve (its `/services/data` list):
 * stored, a version like 99.0 made every later describe say "Salesforce has
 * no object Contact".
 */
export async function checkApiVersion(conn: Connection, version: string): Promise<void> {
  let served: string[];
  try {
    const list = await conn.request<Array<{ version?: unknown }>>('/services/data');
    served = (Array.isArray(list) ? list : []).map((v) => String(v.version)).filter((v) => /^\d+\.\d+$/.test(v));
  } catch (cause) {
    throw new SfsyncError(
      'SF_API_VERSION_UNCHECKED',
      `Cannot read the API versions Salesforce serves (${(cause as Error).message.split('\n')[0]}); try \`sfsync connect\` again.`,
      { cause },
    );
  }
  if (served.includes(version)) return;
  const sorted = served.map(Number).sort((a, b) => a - b);
  const range = sorted.length > 0 ? `${sorted[0]!.toFixed(1)} to ${sorted.at(-1)!.toFixed(1)}` : 'none';
  throw new SfsyncError(
    'SF_API_VERSION_UNSUPPORTED',
    `Salesforce at ${conn.instanceUrl || 'this org'} serves API versions ${range}, not ${version}; pass --api-version (or set SFSYNC_API_VERSION / salesforce.apiVersion) within that range.`,
  );
}

async function authenticate(conn: Connection, settings: SalesforceSettings, kind: ReturnType<typeof resolveAuthKind>, secrets: Secrets): Promise<void> {
  switch (kind) {
    case 'password':
    case 'soap':
      await conn.login(required(settings.username, 'SFSYNC_USERNAME'), required(secrets.password, 'SFSYNC_PASSWORD'));
      return;
    case 'refresh_token': {
      // The Connection was built with the refresh token, so jsforce's own
      // delegate renews on 401; this is the first renewal.
      const token = required(secrets.refreshToken, 'SFSYNC_REFRESH_TOKEN');
      await conn.authorize({ grant_type: 'refresh_token', refresh_token: token });
      if (!conn.refreshToken) conn.refreshToken = token;
      return;
    }
    case 'client_credentials':
    case 'jwt':
      await reauthorize(conn, settings, kind, secrets.jwtKey);
      return;
  }
}

/** Client credentials and JWT have no refresh token: re-authorize with the same grant. */
async function reauthorize(conn: Connection, settings: SalesforceSettings, kind: 'client_credentials' | 'jwt', jwtKey: string | undefined): Promise<string> {
  const params: { grant_type: string; [name: string]: string } =
    kind === 'jwt'
      ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwtAssertion(settings, Date.now(), jwtKey) }
      : { grant_type: 'client_credentials' };
  await conn.authorize(params);
  return required(conn.accessToken ?? undefined, 'an access token from Salesforce');
}

/**
 * An RS256-signed JWT bearer assertion (iss = client id, sub = username, aud =
 * login URL, 3 minutes), signed with `storedKey` (a connection's stored PEM)
 * or else the PEM in settings.jwtKeyFile.
 */
export function jwtAssertion(settings: SalesforceSettings, nowMs = Date.now(), storedKey?: string): string {
  const keyFile = storedKey !== undefined ? 'stored with the connection' : required(settings.jwtKeyFile, 'SFSYNC_JWT_KEY_FILE');
  let key: string;
  try {
    key = storedKey ?? readFileSync(keyFile, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new SfsyncError(
      'SECRET_UNREADABLE',
      `Cannot read the JWT key file "${keyFile}" given for salesforce.jwtKeyFile (SFSYNC_JWT_KEY_FILE, --jwt-key-file) (${reason}); check its path and permissions.`,
      { cause },
    );
  }
  if (key.trim() === '')
    throw new SfsyncError('SECRET_EMPTY', `The JWT key file "${keyFile}" given for salesforce.jwtKeyFile is empty; write the PEM private key into it.`);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT' });
  const claims = encode({
    iss: required(settings.clientId, 'SFSYNC_CLIENT_ID'),
    sub: required(settings.username, 'SFSYNC_USERNAME'),
    aud: settings.loginUrl,
    exp: Math.floor(nowMs / 1000) + 180,
  });
  let signature: string;
  try {
    signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key).toString('base64url');
  } catch (cause) {
    throw new SfsyncError(
      'SECRET_INVALID',
      `The JWT key file "${keyFile}" is not a PEM RSA private key (${(cause as Error).message.split('\n')[0]}); check salesforce.jwtKeyFile.`,
      { cause },
    );
  }
  return `${header}.${claims}.${signature}`;
}

function required(value: string | undefined, envName: string): string {
  if (!value) throw new SfsyncError('SF_NO_CREDENTIALS', `${envName} is not set; set it (or the matching key in the config file) for this login flow.`);
  return value;
}
