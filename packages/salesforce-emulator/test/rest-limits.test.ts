/**
 * Request-size limits Salesforce documents and a client can trip: a URI over
 * 16,384 bytes is 414, URI and headers over 16,384 bytes together 431
 * (Salesforce Help article 000386264), a SOQL statement over 100,000
 * characters MALFORMED_QUERY ("SOQL and SOSL Limits").
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { login } from './core-helpers.js';

describe('request size limits', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emu = await startEmulator();
    conn = await login(emu);
  });
  afterAll(async () => {
    await emu?.stop();
  });
  const auth = () => ({ Authorization: `Bearer ${conn.accessToken ?? ''}` });
  const inList = (n: number) => Array.from({ length: n }, (_, i) => `'001${String(i).padStart(15, '0')}'`).join(',');

  it('answers a URI over 16,384 bytes with 414 and one just under it normally', async () => {
    const base = `${emu.url}/services/data/v59.0/query?q=`;
    const soql = (n: number) => encodeURIComponent(`SELECT Id FROM Account WHERE Id IN (${inList(n)})`);
    const over = await fetch(base + soql(700), { headers: auth() });
    expect(over.status).toBe(414);
    const under = await fetch(base + soql(300), { headers: auth() });
    expect(under.status).toBe(200);
  });

  it('answers URI and headers over 16,384 bytes together with 431', async () => {
    const res = await fetch(`${emu.url}/services/data/v59.0/limits`, { headers: { ...auth(), 'X-Padding': 'x'.repeat(17_000) } });
    expect(res.status).toBe(431);
  });

  it('refuses a SOQL statement over 100,000 characters with MALFORMED_QUERY (sent in a composite body)', async () => {
    const soql = `SELECT Id FROM Account WHERE Name IN (${inList(5_000)})`;
    expect(soql.length).toBeGreaterThan(100_000);
    const reply = await conn.request<{ compositeResponse: Array<{ httpStatusCode: number; body: Array<{ errorCode: string; message: string }> }> }>({
      method: 'POST',
      url: '/services/data/v59.0/composite',
      body: JSON.stringify({ compositeRequest: [{ method: 'GET', url: `/services/data/v59.0/query?q=${encodeURIComponent(soql)}`, referenceId: 'q' }] }),
      headers: { 'Content-Type': 'application/json' },
    });
    const [result] = reply.compositeResponse;
    expect(result?.httpStatusCode).toBe(400);
    expect(result?.body[0]).toMatchObject({ errorCode: 'MALFORMED_QUERY', message: expect.stringMatching(/longer than 100000 characters/) });
  });
});
