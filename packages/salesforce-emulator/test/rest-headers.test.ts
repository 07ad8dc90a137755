/**
 * Response headers the REST API Developer Guide shows: `Sforce-Limit-Info` on
 * every call, `Location` on a created record (also inside composite replies'
 * `httpHeaders`), `Last-Modified` on a record read.
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { login, raw } from './core-helpers.js';

describe('REST response headers', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emu = await startEmulator();
    conn = await login(emu);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('sends Location for a created record and Last-Modified for a read one', async () => {
    const created = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Account', JSON.stringify({ Name: 'Headers' }), {
      'Content-Type': 'application/json',
    });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.text) as { id: string };
    expect(created.headers.get('location')).toBe(`/services/data/v59.0/sobjects/Account/${id}`);
    expect(created.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
    const read = await raw(conn, 'GET', `/services/data/v59.0/sobjects/Account/${id}`);
    const stamp = (JSON.parse(read.text) as { LastModifiedDate: string }).LastModifiedDate;
    expect(read.headers.get('last-modified')).toBe(new Date(stamp.replace(/(\d{2})(\d{2})$/, '$1:$2')).toUTCString());
    const upserted = await raw(conn, 'PATCH', '/services/data/v59.0/sobjects/Account/Ext_Id__c/H-1', JSON.stringify({ Name: 'Upserted' }), {
      'Content-Type': 'application/json',
    });
    expect(upserted.status).toBe(201);
    expect(upserted.headers.get('location')).toMatch(/^\/services\/data\/v59\.0\/sobjects\/Account\/001/);
  });

  it('shows Location in a composite subrequest’s httpHeaders', async () => {
    const reply = await conn.request<{ compositeResponse: Array<{ httpHeaders: Record<string, string>; body: { id: string } }> }>({
      method: 'POST',
      url: '/services/data/v59.0/composite',
      body: JSON.stringify({
        compositeRequest: [{ method: 'POST', url: '/services/data/v59.0/sobjects/Account', referenceId: 'a', body: { Name: 'In composite' } }],
      }),
      headers: { 'Content-Type': 'application/json' },
    });
    const [a] = reply.compositeResponse;
    expect(a?.httpHeaders).toEqual({ Location: `/services/data/v59.0/sobjects/Account/${a?.body.id ?? ''}` });
  });
});
