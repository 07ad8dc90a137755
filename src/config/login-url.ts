/**
 * Which login URLs sfsync accepts, and which one may receive the secrets of
 * the config/env. Kept free of heavy imports: the config schema uses it.
 */
import { isIP } from 'node:net';
import { SfsyncError } from '../errors.js';

/**
 * Whether `host` (a hostname, or an IP with or without IPv6 brackets) only
 * reaches this machine: `localhost`, 127.0.0.0/8, `::1`.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** Whether `host` looks like something to bind or connect to: an IP address or a DNS name. */
export function isHostSyntax(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(h) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(h);
}

/**
 * Why `text` cannot be a login URL, or undefined when it can. https anywhere;
 * http only to a loopback host: the emulator speaks http on 127.0.0.1, and
 * anywhere else the password and client secret would cross the network in
 * clear. No user info, query or fragment: jsforce appends
 * `/services/oauth2/token` and the SOAP path to it.
 */
export function loginUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL; write it like https://login.salesforce.com`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${text}" must be an https:// URL (http:// only for localhost)`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return `"${text}" must use https:// (http:// would send the password in clear; it is allowed for localhost only)`;
  if (url.username || url.password || url.search || url.hash) return `"${text}" must not carry a user, query or fragment; give only https://host[/path]`;
  return undefined;
}

/**
 * Why `text` cannot be the Pub/Sub API endpoint, or undefined when it can:
 * `https://host:port` (TLS), or `http://` to a loopback host (the emulator's
 * plaintext gRPC port); the access token travels in every call's metadata.
 */
export function pubsubUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL; write it like https://api.pubsub.salesforce.com:7443`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${text}" must be an https:// URL (http:// only for localhost)`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return `"${text}" must use https:// (http:// would send the access token in clear; it is allowed for localhost only)`;
  if (url.username || url.password || url.search || url.hash || url.pathname.replace(/\/+$/, '') !== '')
    return `"${text}" must be only https://host:port, e.g. https://api.pubsub.salesforce.com:7443`;
  return undefined;
}

/** The form two login URLs are compared in: scheme, host, port (default ports dropped), path without trailing slashes. */
export function normalizeLoginUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return text;
  }
}

/** Whether two login URLs name the same endpoint. */
export function sameLoginUrl(a: string, b: string): boolean {
  return normalizeLoginUrl(a) === normalizeLoginUrl(b);
}

/** What {@link assertTrustedLoginUrl} compares. */
export interface LoginUrlBinding {
  /** salesforce.loginUrl (SFSYNC_LOGIN_URL): the URL the config/env secrets were given for. */
  loginUrl: string;
  /** salesforce.trustStoredLoginUrl (SFSYNC_TRUST_STORED_LOGIN_URL, --trust-stored-login-url). */
  trustStoredLoginUrl?: boolean;
}

/**
 * Refuse to log in to a stored connection's login URL that is not the one
 * configured beside the secrets. `sfsync.connections` is writable by whoever
 * can write the database; without this, `update sfsync.connections set
 * login_url = 'http://attacker'` made the next `map` or `start` POST the
 * environment's password and client secret there. Checked before any request.
 */
export function assertTrustedLoginUrl(settings: LoginUrlBinding, stored: { name?: string; loginUrl: string }): void {
  if (settings.trustStoredLoginUrl || sameLoginUrl(settings.loginUrl, stored.loginUrl)) return;
  const which = stored.name ? `Connection "${stored.name}"` : 'The stored connection';
  throw new SfsyncError(
    'LOGIN_URL_UNTRUSTED',
    `${which} logs in at ${stored.loginUrl}, but the configured credentials are for ${settings.loginUrl} (salesforce.loginUrl / SFSYNC_LOGIN_URL), so they are not sent there; run \`sfsync connect\` to store the configured URL, set SFSYNC_LOGIN_URL to the stored one, or pass --trust-stored-login-url if you trust it.`,
  );
}
