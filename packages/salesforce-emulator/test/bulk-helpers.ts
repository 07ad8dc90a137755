/**
 * Shared setup for the Bulk API 2.0 tests: a real emulator, a real jsforce
 * connection logged in through it, raw requests for what jsforce does not
 * expose (headers of result pages), and waiting on conditions.
 */
import jsforce from 'jsforce';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/index.js';

/** API version every test uses. */
export const API_VERSION = '59.0';

/** A custom object with the types whose CSV conversion matters, and an external id. */
export const BULK_SCHEMA: EmulatorOptions['schema'] = {
  objects: [
    {
      name: 'Invoice__c',
      fields: [
        { name: 'Ext__c', type: 'string', externalId: true, unique: true },
        { name: 'Issued_At__c', type: 'datetime' },
        { name: 'Due__c', type: 'date' },
        { name: 'Paid__c', type: 'boolean' },
        { name: 'Amount__c', type: 'currency', precision: 18, scale: 2 },
        { name: 'Memo__c', type: 'textarea', length: 1000 },
        { name: 'Account__c', type: 'reference', referenceTo: 'Account' },
      ],
    },
  ],
};

/** An emulator plus a logged-in jsforce connection. */
export interface BulkFixture {
  emu: RunningEmulator;
  conn: jsforce.Connection;
}

/** Start an emulator with BULK_SCHEMA and log in with jsforce (password flow through OAuth). */
export async function startBulkFixture(): Promise<BulkFixture> {
  const emu = await startEmulator({ schema: BULK_SCHEMA, log: () => undefined });
  try {
    const conn = new jsforce.Connection({
      loginUrl: emu.url,
      version: API_VERSION,
      oauth2: { clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', loginUrl: emu.url },
    });
    await conn.login('admin@sfsync.test', 'sfsync');
    // jsforce polls job state every second by default; a short interval keeps tests quick.
    conn.bulk2.pollInterval = 25;
    conn.bulk2.pollTimeout = 20_000;
    return { emu, conn };
  } catch (error) {
    await emu.stop();
    throw error;
  }
}

/** A raw HTTP reply. */
export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
}

/** Send a request to `/services/data/v<version>/jobs<path>` with the connection's token. */
export async function jobsRequest(
  fx: BulkFixture,
  method: string,
  path: string,
  body?: string,
  options: { contentType?: string; version?: string } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { Authorization: `Bearer ${fx.conn.accessToken ?? ''}` };
  if (body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json; charset=utf-8';
  const reply = await fetch(`${fx.emu.url}/services/data/v${options.version ?? API_VERSION}/jobs${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  return { status: reply.status, headers: reply.headers, text: await reply.text() };
}

/** Parse a JSON reply body. */
export function json<T = Record<string, unknown>>(reply: RawReply): T {
  return JSON.parse(reply.text) as T;
}

/** Wait until `check` returns a defined value, polling every 10 ms; fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Poll `GET /jobs/<kind>/<id>` until the job's state is one of `states`; returns the job info. */
export async function waitForState(fx: BulkFixture, kind: 'ingest' | 'query', id: string, states: string[]): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const info = json(await jobsRequest(fx, 'GET', `/${kind}/${id}`));
      return states.includes(String(info['state'])) ? info : undefined;
    },
    `${kind} job ${id} to reach ${states.join('|')}`,
  );
}
