import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { control, failure, login, raw } from './core-helpers.js';

describe('emulator REST query and replication', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emu = await startEmulator();
    conn = await login(emu);
    await control(emu, 'POST', '/seed', { object: 'Account', count: 4500 });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('pages with nextRecordsUrl and fetches everything with autoFetch', async () => {
    const first = await conn.query<{ Id: string }>('SELECT Id, Name FROM Account ORDER BY SystemModstamp');
    expect(first.totalSize).toBe(4500);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(2000);
    const page = await raw(conn, 'GET', `/services/data/v59.0/query?q=${encodeURIComponent('SELECT Id FROM Account')}`);
    expect(JSON.parse(page.text).nextRecordsUrl).toMatch(/^\/services\/data\/v59\.0\/query\/01g\w{15}-2000$/);
    const all: string[] = [];
    await new Promise<void>((resolve, reject) => {
      conn
        .query<{ Id: string }>('SELECT Id FROM Account')
        .on('record', (r: { Id: string }) => all.push(r.Id))
        .on('end', () => resolve())
        .on('error', reject)
        .run({ autoFetch: true, maxFetch: 10_000 });
    });
    expect(new Set(all).size).toBe(4500);
  });

  it('honours Sforce-Query-Options batchSize and refuses unknown locators', async () => {
    const res = await raw(conn, 'GET', `/services/data/v59.0/query?q=${encodeURIComponent('SELECT Id FROM Account')}`, undefined, {
      'Sforce-Query-Options': 'batchSize=500',
    });
    const body = JSON.parse(res.text) as { records: unknown[]; nextRecordsUrl: string };
    expect(body.records).toHaveLength(500);
    expect(body.nextRecordsUrl.endsWith('-500')).toBe(true);
    const next = await raw(conn, 'GET', body.nextRecordsUrl);
    expect((JSON.parse(next.text) as { records: unknown[] }).records).toHaveLength(500);
    await control(emu, 'POST', '/query-locators/expire');
    const expired = await failure(conn.queryMore(body.nextRecordsUrl));
    expect(expired.name).toBe('INVALID_QUERY_LOCATOR');
  });

  it('reports SOQL errors as 400 with Salesforce codes', async () => {
    expect((await failure(conn.query('SELECT Nope FROM Account'))).name).toBe('INVALID_FIELD');
    expect((await failure(conn.query('SELECT Id FROM Nope__c'))).name).toBe('INVALID_TYPE');
    expect((await failure(conn.query('SELEC Id FROM Account'))).name).toBe('MALFORMED_QUERY');
  });

  it('shows deleted rows only to queryAll, and undelete keeps the Id', async () => {
    const { id } = (await conn.sobject('Lead').create({ LastName: 'Gone', Company: 'X' })) as { id: string };
    await conn.sobject('Lead').destroy(id);
    const q = `SELECT Id, IsDeleted FROM Lead WHERE Id = '${id}'`;
    expect((await conn.query(q)).totalSize).toBe(0);
    const all = await conn.query<{ IsDeleted: boolean }>(q, { scanAll: true });
    expect(all.records[0]?.IsDeleted).toBe(true);
    const undeleted = emu.org.write([{ kind: 'undelete', id }], { allOrNone: true }, emu.org.systemContext());
    expect(undeleted[0]).toMatchObject({ success: true, id });
    expect((await conn.query(q)).totalSize).toBe(1);
  });

  it('serves getUpdated and getDeleted', async () => {
    const start = new Date(Date.now() - 120_000);
    const { id: kept } = (await conn.sobject('Case').create({ Subject: 'kept' })) as { id: string };
    const { id: removed } = (await conn.sobject('Case').create({ Subject: 'removed' })) as { id: string };
    await conn.sobject('Case').destroy(removed);
    const end = new Date(Date.now() + 120_000);
    const updated = await conn.sobject('Case').updated(start, end);
    expect(updated.ids).toContain(kept);
    expect(updated.ids).not.toContain(removed);
    expect(updated.latestDateCovered).toMatch(/:00\.000\+0000$/);
    const deleted = await conn.sobject('Case').deleted(start, end);
    expect(deleted.deletedRecords.map((d) => d.id)).toEqual([removed]);
    const bad = await failure(conn.sobject('Case').updated(end, start));
    expect(bad.name).toBe('INVALID_REPLICATION_DATE');
    const tooOld = await failure(conn.sobject('Case').updated(new Date(Date.now() - 31 * 86_400_000), end));
    expect(tooOld.name).toBe('INVALID_REPLICATION_DATE');
  });

  it('reports limits and Sforce-Limit-Info', async () => {
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(15000);
    expect(limits.DailyApiRequests?.Remaining).toBe(15000 - emu.org.apiUsage);
    expect(conn.limitInfo.apiUsage?.used).toBe(emu.org.apiUsage);
    expect(conn.limitInfo.apiUsage?.limit).toBe(15000);
  });
});
