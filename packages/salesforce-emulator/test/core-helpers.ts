/**
 * Shared helpers for the emulator tests: a jsforce connection against a
 * running emulator, the control API, and a condition poller (never fixed sleeps).
 */
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import type { RunningEmulator } from '../src/index.js';

/** The default org's credentials. */
export const CREDS = {
  username: 'admin@sfsync.test',
  password: 'sfsync',
  clientId: 'sfsync-local',
  clientSecret: 'sfsync-local-secret',
};

/** A jsforce connection configured for OAuth (password grant) against the emulator, not yet logged in. */
export function oauthConnection(emu: RunningEmulator, extra: Record<string, unknown> = {}): Connection {
  return new jsforce.Connection({
    loginUrl: emu.url,
    version: '59.0',
    oauth2: { clientId: CREDS.clientId, clientSecret: CREDS.clientSecret, loginUrl: emu.url },
    ...extra,
  });
}

/** A logged-in OAuth connection. */
export async function login(emu: RunningEmulator, extra: Record<string, unknown> = {}): Promise<Connection> {
  const conn = oauthConnection(emu, extra);
  await conn.login(CREDS.username, CREDS.password);
  return conn;
}

/** Call the control API; throws on a non-2xx reply. */
export async function control<T = unknown>(emu: RunningEmulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.url}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Poll `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Run a promise expected to fail and return its error. */
export async function failure(promise: PromiseLike<unknown>): Promise<Error & { errorCode?: string; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { errorCode?: string };
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}

/** A raw REST call with a session token (for shapes jsforce hides). */
export async function raw(
  conn: Connection,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${conn.instanceUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
