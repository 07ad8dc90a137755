import type { Connection } from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { control, failure, login, waitFor } from './core-helpers.js';

describe('emulator controls', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emu = await startEmulator();
    conn = await login(emu);
  });
  afterEach(async () => {
    // Every test leaves the knobs as it found them, even when it fails.
    await control(emu, 'PUT', '/faults', { latency: 0, faults: [], commitDelayMs: 0, lostResponses: { rate: 0, next: 0 }, dailyApiLimit: 15000 });
    await control(emu, 'DELETE', '/automation');
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('adds latency to API calls', async () => {
    await control(emu, 'PUT', '/faults', { latency: [150, 200] });
    const started = performance.now();
    await conn.query('SELECT Id FROM User');
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('injects faults by kind, path, method and count', async () => {
    await control(emu, 'PUT', '/faults', {
      faults: [{ kind: 'UNABLE_TO_LOCK_ROW', pathPrefix: '/services/data/v59.0/composite', method: 'POST', count: 1 }],
    });
    const locked = await failure(conn.sobject('Account').create([{ Name: 'a' }, { Name: 'b' }]));
    expect(locked.name).toBe('UNABLE_TO_LOCK_ROW');
    expect(await conn.sobject('Account').create([{ Name: 'a' }, { Name: 'b' }])).toHaveLength(2);
    await control(emu, 'PUT', '/faults', { faults: [{ kind: '5xx', method: 'POST' }] });
    const unavailable = await failure(conn.sobject('Account').create({ Name: 'c' }));
    expect(unavailable.name).toBe('SERVER_UNAVAILABLE');
    await control(emu, 'PUT', '/faults', { faults: [{ kind: 'REQUEST_LIMIT_EXCEEDED', rate: 1 }] });
    expect((await failure(conn.query('SELECT Id FROM User'))).name).toBe('REQUEST_LIMIT_EXCEEDED');
  });

  it('enforces the daily API limit until reset', async () => {
    const stats = await control<{ apiUsage: { used: number } }>(emu, 'GET', '/stats');
    await control(emu, 'PUT', '/faults', { dailyApiLimit: stats.apiUsage.used + 2 });
    await conn.query('SELECT Id FROM User');
    await conn.query('SELECT Id FROM User');
    const refused = await failure(conn.query('SELECT Id FROM User'));
    expect(refused.name).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(refused.message).toBe('TotalRequests Limit exceeded.');
    await control(emu, 'POST', '/api-usage/reset');
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
    expect(conn.limitInfo.apiUsage?.used).toBe(1);
  });

  it('delays commit: the write answers at once but becomes visible later', async () => {
    await control(emu, 'PUT', '/faults', { commitDelayMs: 400 });
    const events: string[] = [];
    const off = emu.org.onChange((e) => events.push(...e.recordIds));
    try {
      const { id } = (await conn.sobject('Account').create({ Name: 'Late' })) as { id: string };
      const q = `SELECT Id, SystemModstamp FROM Account WHERE Id = '${id}'`;
      expect((await conn.query(q)).totalSize).toBe(0);
      expect(events).not.toContain(id);
      const visible = await waitFor(async () => (await conn.query<{ SystemModstamp: string }>(q)).records[0], 5000);
      expect(events).toContain(id);
      // The stamp was taken at write time, before it became visible: the cause of polling drift.
      expect(Date.parse((visible?.SystemModstamp ?? '').replace('+0000', 'Z'))).toBeLessThan(Date.now() - 300);
    } finally {
      off();
    }
  });

  it('loses responses: the call fails with a socket error but the record is committed', async () => {
    await control(emu, 'PUT', '/faults', { lostResponses: { next: 1 } });
    const lost = await failure(conn.sobject('Account').create({ Name: 'Lost reply' }));
    expect(lost.message).toMatch(/socket|ECONNRESET|hang up|terminated|other side closed/i);
    const found = await conn.query("SELECT Id FROM Account WHERE Name = 'Lost reply'");
    expect(found.totalSize).toBe(1);
  });

  it('loses only the replies of writes matching lostResponses.pathPrefix / method', async () => {
    await control(emu, 'PUT', '/faults', { lostResponses: { next: 1, method: 'PATCH', pathPrefix: '/services/data/v59.0/composite/sobjects' } });
    // A POST (the kind a Bulk query job or a create is) passes and leaves `next` untouched.
    const created = (await conn.sobject('Account').create({ Name: 'Filtered' })) as { id: string };
    const lost = await failure(conn.sobject('Account').update([{ Id: created.id, Name: 'Filtered 2' }]));
    expect(lost.message).toMatch(/socket|ECONNRESET|hang up|terminated|other side closed/i);
    expect((await conn.sobject('Account').retrieve(created.id)).Name).toBe('Filtered 2');
    await control(emu, 'PUT', '/faults', { lostResponses: { next: 0 } });
  });

  it('runs automation as a second save with a later SystemModstamp and its own origin', async () => {
    await control(emu, 'POST', '/automation', { object: 'Account', on: ['insert'], field: 'Description', expression: "'auto: ' & Name" });
    const origins: string[] = [];
    const off = emu.org.onChange((e) => origins.push(e.changeOrigin));
    try {
      const { id } = (await conn.sobject('Account').create({ Name: 'Flowed' })) as { id: string };
      const rec = await conn.sobject('Account').retrieve(id);
      expect(rec.Description).toBe('auto: Flowed');
      expect(Date.parse(String(rec.SystemModstamp).replace('+0000', 'Z'))).toBeGreaterThan(Date.parse(String(rec.CreatedDate).replace('+0000', 'Z')));
      expect(origins).toEqual(['com/salesforce/api/rest/59.0', 'com/salesforce/automation/flow']);
    } finally {
      off();
    }
  });

  it('seeds, inspects, sets streaming knobs and resets', async () => {
    const seeded = await control<{ created: number }>(emu, 'POST', '/seed', { object: 'Contact', count: 50, template: { Email: 'c{n}@seed.test' } });
    expect(seeded.created).toBe(50);
    const listed = await control<{ totalSize: number; records: Array<{ Email: string }> }>(emu, 'GET', '/records/Contact?limit=5');
    expect(listed.totalSize).toBe(50);
    expect(listed.records).toHaveLength(5);
    expect(listed.records[4]?.Email).toBe('c50@seed.test');
    const demo = await control<Array<{ created: number }>>(emu, 'POST', '/seed', { preset: 'demo' });
    expect(demo.map((d) => d.created)).toEqual([2000, 5000]);
    const contacts = await conn.query<{ Account: { Name: string } | null }>("SELECT Account.Name FROM Contact WHERE Email LIKE 'contact%' LIMIT 5");
    expect(contacts.records.every((c) => typeof c.Account?.Name === 'string')).toBe(true);
    const knobs = await control<{ dropEventRate: number }>(emu, 'PUT', '/faults', { dropEventRate: 0.5 });
    expect(knobs.dropEventRate).toBe(0.5);
    expect(emu.org.controls.dropEventRate).toBe(0.5);
    await control(emu, 'POST', '/reset');
    const stats = await control<{ objects: Record<string, number> }>(emu, 'GET', '/stats');
    expect(stats.objects).toEqual({ User: 1 });
    expect(emu.org.controls.dropEventRate).toBe(0);
    conn = await login(emu);
  });

  it('refuses bad control input with a 400', async () => {
    await expect(control(emu, 'PUT', '/faults', { latency: 'slow', commitDelayMs: -1 })).rejects.toThrow(/400/);
    await expect(control(emu, 'PUT', '/faults', { faults: [{ kind: 'meteor' }] })).rejects.toThrow(/400/);
    await expect(control(emu, 'POST', '/seed', { object: 'Nope', count: 1 })).rejects.toThrow(/400/);
    await expect(control(emu, 'GET', '/nope')).rejects.toThrow(/404/);
    await expect(control(emu, 'POST', '/undelete', { ids: '001' })).rejects.toThrow(/400/);
    await expect(control(emu, 'POST', '/undelete', { ids: [] })).rejects.toThrow(/400/);
    const bad = await control<Array<{ success: boolean; errors: Array<{ statusCode: string }> }>>(emu, 'POST', '/undelete', { ids: ['not-an-id'] });
    expect(bad[0]?.success).toBe(false);
    const live = emu.org.create('Account', { Name: 'Alive' });
    const notInBin = await control<Array<{ errors: Array<{ statusCode: string }> }>>(emu, 'POST', '/undelete', { ids: [live] });
    expect(notInBin[0]?.errors[0]?.statusCode).toBe('UNDELETE_FAILED');
  });
});
