import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { login, raw } from './core-helpers.js';

type Result = { id?: string; success: boolean; created?: boolean; errors: Array<{ statusCode: string }> };

describe('emulator sObject Collections and composite', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emu = await startEmulator();
    conn = await login(emu);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('creates, updates, retrieves and deletes in input order', async () => {
    const created = (await conn.sobject('Account').create([{ Name: 'A' }, { Description: 'no name' }, { Name: 'C' }])) as Result[];
    expect(created.map((r) => r.success)).toEqual([true, false, true]);
    expect(created[1]?.errors[0]?.statusCode).toBe('REQUIRED_FIELD_MISSING');
    const ids = [created[0]?.id, created[2]?.id] as string[];
    const updated = (await conn.sobject('Account').update(ids.map((Id) => ({ Id, Rating: 'Hot' })))) as Result[];
    expect(updated.every((r) => r.success)).toBe(true);
    const fetched = await conn.sobject('Account').retrieve([...ids, '001000000000000AAA']);
    expect(fetched.map((r) => (r as { Rating?: string } | null)?.Rating ?? null)).toEqual(['Hot', 'Hot', null]);
    const deleted = (await conn.sobject('Account').destroy(ids)) as Result[];
    expect(deleted.map((r) => r.id)).toEqual(ids);
    expect(emu.org.latest(ids[0] ?? '')?.isDeleted).toBe(true);
  });

  it('rolls everything back with allOrNone', async () => {
    const before = emu.org.list('Account').length;
    const res = (await conn.sobject('Account').create([{ Name: 'ok' }, { Name: 'x'.repeat(300) }], { allOrNone: true })) as Result[];
    expect(res[0]?.errors[0]?.statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(res[1]?.errors[0]?.statusCode).toBe('STRING_TOO_LONG');
    expect(emu.org.list('Account').length).toBe(before);
  });

  it('upserts with created flags, and allOrNone rollback keeps created', async () => {
    const res = (await conn.sobject('Account').upsert(
      [
        { Name: 'U1', Ext_Id__c: 'C-1' },
        { Name: 'U2', Ext_Id__c: 'C-2' },
      ],
      'Ext_Id__c',
    )) as Result[];
    expect(res.map((r) => r.created)).toEqual([true, true]);
    const again = (await conn.sobject('Account').upsert(
      [
        { Name: 'U1b', Ext_Id__c: 'C-1' },
        { Name: 'U3', Ext_Id__c: 'C-3' },
      ],
      'Ext_Id__c',
    )) as Result[];
    expect(again.map((r) => r.created)).toEqual([false, true]);
    const rolled = (await conn.sobject('Account').upsert(
      [
        { Name: 'U4', Ext_Id__c: 'C-4' },
        { Name: null, Ext_Id__c: 'C-5' },
      ],
      'Ext_Id__c',
      { allOrNone: true },
    )) as Result[];
    expect(rolled.map((r) => r.success)).toEqual([false, false]);
    expect(rolled[0]).toMatchObject({ created: true });
    expect(emu.org.findByExternalId('Account', 'Ext_Id__c', 'C-4')).toHaveLength(0);
  });

  it('upsert matches no record in the recycle bin: it creates another, as Salesforce does', async () => {
    const [first] = (await conn.sobject('Account').upsert([{ Name: 'Binned', Ext_Id__c: 'C-BIN' }], 'Ext_Id__c')) as Result[];
    expect(first).toMatchObject({ success: true, created: true });
    await conn.sobject('Account').destroy([first!.id!]);
    const [again] = (await conn.sobject('Account').upsert([{ Name: 'Binned', Ext_Id__c: 'C-BIN' }], 'Ext_Id__c')) as Result[];
    expect(again).toMatchObject({ success: true, created: true });
    expect(again!.id).not.toBe(first!.id);
    expect(emu.org.latest(first!.id!)?.isDeleted).toBe(true);
  });

  it('refuses more than 200 records with a 400', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `N${i}` }));
    const res = await raw(conn, 'POST', '/services/data/v59.0/composite/sobjects', JSON.stringify({ allOrNone: false, records }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('runs composite requests with references, and halts with allOrNone', async () => {
    const ok = await conn.requestPost<{ compositeResponse: Array<{ httpStatusCode: number; body: { id?: string; AccountId?: string } }> }>(
      '/services/data/v59.0/composite',
      {
        allOrNone: true,
        compositeRequest: [
          { method: 'POST', url: '/services/data/v59.0/sobjects/Account', referenceId: 'acc', body: { Name: 'Composite Co' } },
          { method: 'POST', url: '/services/data/v59.0/sobjects/Contact', referenceId: 'con', body: { LastName: 'Ref', AccountId: '@{acc.id}' } },
          { method: 'GET', url: '/services/data/v59.0/sobjects/Contact/@{con.id}?fields=AccountId', referenceId: 'get' },
        ],
      },
    );
    expect(ok.compositeResponse.map((r) => r.httpStatusCode)).toEqual([201, 201, 200]);
    expect(ok.compositeResponse[2]?.body.AccountId).toBe(ok.compositeResponse[0]?.body.id);
    const before = emu.org.list('Account').length;
    const halted = await conn.requestPost<{ compositeResponse: Array<{ httpStatusCode: number; body: Array<{ errorCode: string }> }> }>(
      '/services/data/v59.0/composite',
      {
        allOrNone: true,
        compositeRequest: [
          { method: 'POST', url: '/services/data/v59.0/sobjects/Account', referenceId: 'a', body: { Name: 'Rolled back' } },
          { method: 'POST', url: '/services/data/v59.0/sobjects/Contact', referenceId: 'b', body: { AccountId: '@{a.id}' } },
          { method: 'GET', url: '/services/data/v59.0/limits', referenceId: 'c' },
        ],
      },
    );
    expect(halted.compositeResponse.map((r) => r.body[0]?.errorCode)).toEqual(['PROCESSING_HALTED', 'REQUIRED_FIELD_MISSING', 'PROCESSING_HALTED']);
    expect(emu.org.list('Account').length).toBe(before);
  });

  it('records Sforce-Call-Options client into changeOrigin', async () => {
    const events: string[] = [];
    const off = emu.org.onChange((e) => events.push(e.changeOrigin));
    try {
      const tagged = await login(emu, { callOptions: { client: 'SyncEngine' } });
      await tagged.sobject('Account').create({ Name: 'Tagged' });
      expect(events).toContain('com/salesforce/api/rest/59.0;client=SyncEngine');
    } finally {
      off();
    }
  });
});
