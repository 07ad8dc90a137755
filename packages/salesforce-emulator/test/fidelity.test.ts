/**
 * Fidelity details of issue 3 that cut across parts: API usage counting and
 * `Sforce-Limit-Info`, the expired-session 401, recycle-bin retention and
 * purge, PushTopic record validation, PushTopic retention through the control
 * API, and bad control/REST input that must never take the server down.
 */
import type { Connection } from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import type { ChangeEvent } from '../src/ports.js';
import { control, failure, login, raw } from './core-helpers.js';
import { StreamingClient, waitFor } from './streaming-helpers.js';

type Usage = { apiUsage: { used: number; limit: number } };

describe('emulator fidelity', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  const clients: StreamingClient[] = [];
  beforeAll(async () => {
    emu = await startEmulator();
    conn = await login(emu);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect()));
    await control(emu, 'PUT', '/faults', { dailyApiLimit: 15000, pushTopicRetentionMs: 24 * 3600_000 });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const used = async (): Promise<number> => (await control<Usage>(emu, 'GET', '/stats')).apiUsage.used;

  it('counts one call per REST request (a composite or collection is one), none for OAuth, and always sends Sforce-Limit-Info', async () => {
    const before = await used();
    await conn.sobject('Account').create([{ Name: 'One' }, { Name: 'Two' }, { Name: 'Three' }]);
    expect(await used()).toBe(before + 1);
    await login(emu);
    expect(await used()).toBe(before + 1);
    const res = await raw(conn, 'GET', '/services/data/v59.0/limits');
    expect(res.headers.get('sforce-limit-info')).toBe(`api-usage=${before + 2}/15000`);
    const bulk = await raw(conn, 'GET', '/services/data/v59.0/jobs/ingest');
    expect(bulk.headers.get('sforce-limit-info')).toBe(`api-usage=${before + 3}/15000`);
    await control(emu, 'PUT', '/faults', { dailyApiLimit: before + 3 });
    const refused = await raw(conn, 'GET', '/services/data/v59.0/limits');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    expect(refused.headers.get('sforce-limit-info')).toBe(`api-usage=${before + 3}/${before + 3}`);
  });

  it('answers an expired token with 401 INVALID_SESSION_ID, and jsforce refreshes through it', async () => {
    const stale = await login(emu);
    await control(emu, 'POST', '/sessions/expire');
    const res = await raw(stale, 'GET', '/services/data/v59.0/sobjects');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    expect((await stale.query('SELECT Id FROM User')).totalSize).toBe(1);
    conn = stale;
  });

  it('keeps deleted records 15 days; purging them hard-deletes without a second DELETE event', async () => {
    const id = emu.org.create('Account', { Name: 'Binned' });
    await conn.sobject('Account').destroy(id);
    const events: ChangeEvent[] = [];
    const off = emu.org.onChange((e) => events.push(e));
    try {
      expect(await control(emu, 'POST', '/recycle-bin/empty', { olderThanMs: 15 * 24 * 3600_000 })).toEqual({ purged: 0 });
      expect((await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`, { scanAll: true })).totalSize).toBe(1);
      const purged = await control<{ purged: number }>(emu, 'POST', '/recycle-bin/empty', {});
      expect(purged.purged).toBeGreaterThanOrEqual(1);
      expect((await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`, { scanAll: true })).totalSize).toBe(0);
      expect(events.filter((e) => e.recordIds.includes(id))).toEqual([]);
      const gone = await control<Array<{ success: boolean; errors: Array<{ statusCode: string }> }>>(emu, 'POST', '/undelete', { ids: [id] });
      expect(gone[0]?.success).toBe(false);
    } finally {
      off();
    }
  });

  it('validates PushTopic records: Name ≤ 25 characters and unique, a usable query', async () => {
    const topic = (Name: string, Query = 'SELECT Id, Name FROM Account') => conn.sobject('PushTopic').create({ Name, Query, ApiVersion: 59.0 });
    expect((await failure(topic('A'.repeat(26)))).name).toBe('STRING_TOO_LONG');
    expect((await topic('Unique')).success).toBe(true);
    expect((await failure(topic('Unique'))).name).toBe('DUPLICATE_VALUE');
    expect((await failure(topic('Bad', 'SELEKT Id FROM Account'))).name).toBe('MALFORMED_QUERY');
    expect((await failure(topic('NoSuch', 'SELECT Id, Nope__c FROM Account'))).name).toBe('INVALID_FIELD');
    expect((await failure(topic('NoId', 'SELECT Name FROM Account'))).name).toBe('INVALID_FIELD');
    expect((await failure(topic('Ordered', 'SELECT Id FROM Account ORDER BY Name'))).name).toBe('INVALID_FIELD');
  });

  it('forgets PushTopic events past pushTopicRetentionMs (set through PUT /faults)', async () => {
    await conn.sobject('PushTopic').create({ Name: 'Retained', Query: 'SELECT Id, Name FROM Contact', ApiVersion: 59.0 });
    const client = new StreamingClient({ url: emu.url, token: conn.accessToken ?? '' });
    clients.push(client);
    await client.handshake();
    await client.subscribe('/topic/Retained');
    await conn.sobject('Contact').create({ LastName: 'Kept' });
    const [event] = await client.waitForEvents('/topic/Retained', 1);
    const replayId = (event?.data as { event: { replayId: number } }).event.replayId;
    await conn.sobject('Contact').create({ LastName: 'Later' });
    await client.waitForEvents('/topic/Retained', 2);
    const replayer = new StreamingClient({ url: emu.url, token: conn.accessToken ?? '' });
    clients.push(replayer);
    await replayer.handshake();
    expect((await replayer.subscribe('/topic/Retained', replayId)).successful).toBe(true);
    await replayer.waitForEvents('/topic/Retained', 1);
    const since = Date.now();
    await control(emu, 'PUT', '/faults', { pushTopicRetentionMs: 1 });
    await waitFor(() => Date.now() > since + 5, 1000, 'retention to pass');
    const late = new StreamingClient({ url: emu.url, token: conn.accessToken ?? '' });
    clients.push(late);
    await late.handshake();
    const refused = await late.subscribe('/topic/Retained', replayId);
    expect(refused.error).toMatch(/^400::The replayId \{\d+\} you provided was invalid/);
  });

  it('answers bad control and REST input with errors and keeps serving', async () => {
    const post = (path: string, body: string) => fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    for (const [path, body] of [
      ['/__emulator/seed', '{"object":'],
      ['/__emulator/seed', '[1,2]'],
      ['/__emulator/seed', '{"object":"Account","count":"many"}'],
      ['/__emulator/undelete', 'null'],
      ['/__emulator/automation', '{"object":"Account","field":"Nope__c","expression":"(("}'],
      ['/__emulator/faults', '{"faults":"all"}'],
      ['/__emulator/api-usage/reset', 'x'],
    ] as const) {
      const res = await post(path, body);
      expect(res.status, `${path} ${body}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${path} ${body}`).toBeLessThan(500);
    }
    const rest = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Account', '{"Name":');
    expect(JSON.parse(rest.text)[0].errorCode).toBe('JSON_PARSER_ERROR');
    const wrongType = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Account', JSON.stringify({ Name: 'x', AnnualRevenue: 'lots' }));
    expect(wrongType.status).toBe(400);
    expect((await control<Usage>(emu, 'GET', '/stats')).apiUsage.limit).toBe(15000);
  });
});
