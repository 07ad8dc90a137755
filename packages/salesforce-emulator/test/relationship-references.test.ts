/**
 * Parents set by External ID through the relationship name (docs/wire-notes.md,
 * Parents by External ID), as the real jsforce client sends them: `{"Account": {"Ext_Id__c": "A-1"}}`
 * in REST create/update/upsert and sObject Collections, and an
 * `Account.Ext_Id__c` column in Bulk API 2.0 ingest CSV. The parent's Id is
 * stored in the lookup; an unknown value, or a parent field that is not an
 * External ID / idLookup field, fails the record with Salesforce's error.
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { failure, login, raw } from './core-helpers.js';

type Result = { id?: string; success: boolean; created?: boolean; errors: Array<{ statusCode: string; message: string; fields: string[] }> };
type Row = Record<string, string>;

let emu: RunningEmulator;
let conn: Connection;
let parentId: string;
let otherId: string;

beforeAll(async () => {
  emu = await startEmulator({
    log: () => undefined,
    schema: {
      objects: [
        {
          name: 'Shipment__c',
          fields: [
            { name: 'Code__c', type: 'string', externalId: true, unique: true },
            { name: 'Parent__c', type: 'reference', referenceTo: 'Account' },
          ],
        },
      ],
    },
  });
  conn = await login(emu);
  conn.bulk2.pollInterval = 25;
  conn.bulk2.pollTimeout = 20_000;
  parentId = ((await conn.sobject('Account').create({ Name: 'Parent', Ext_Id__c: 'A-1' })) as Result).id!;
  otherId = ((await conn.sobject('Account').create({ Name: 'Other', Ext_Id__c: 'A-2' })) as Result).id!;
});
afterAll(async () => {
  await emu?.stop();
});

const accountOf = (id: string | undefined) => emu.org.latest(id ?? '')?.values.AccountId;
const NOT_FOUND = { statusCode: 'INVALID_FIELD', message: 'Foreign key external ID: A-404 not found for field Ext_Id__c in entity Account', fields: [] };

describe('describe', () => {
  it('names the relationship of each lookup: AccountId → Account, custom Parent__c → Parent__r', async () => {
    const contact = await conn.sobject('Contact').describe();
    expect(contact.fields.find((f) => f.name === 'AccountId')).toMatchObject({ type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' });
    expect(contact.fields.find((f) => f.name === 'LastName')?.relationshipName).toBeNull();
    const shipment = await conn.sobject('Shipment__c').describe();
    expect(shipment.fields.find((f) => f.name === 'Parent__c')).toMatchObject({ relationshipName: 'Parent__r', referenceTo: ['Account'] });
  });
});

describe('REST single-record writes', () => {
  it('create, update and upsert resolve the parent by External ID', async () => {
    const created = (await conn.sobject('Contact').create({ LastName: 'Rest', Account: { Ext_Id__c: 'A-1' } } as never)) as unknown as Result;
    expect(accountOf(created.id)).toBe(parentId);
    await conn.sobject('Contact').update({ Id: created.id!, Account: { Ext_Id__c: 'A-2' } } as never);
    expect(accountOf(created.id)).toBe(otherId);
    const upserted = (await conn
      .sobject('Contact')
      .upsert({ LastName: 'Up', Ext_Id__c: 'C-1', Account: { Ext_Id__c: 'A-1' } } as never, 'Ext_Id__c')) as unknown as Result;
    expect(upserted).toMatchObject({ success: true, created: true });
    expect(accountOf(upserted.id)).toBe(parentId);
    const custom = (await conn.sobject('Shipment__c').create({ Parent__r: { Ext_Id__c: 'A-2' } } as never)) as unknown as Result;
    expect(emu.org.latest(custom.id!)?.values.Parent__c).toBe(otherId);
  });

  it('an unknown External ID value is INVALID_FIELD naming the value, field and entity, with no fields', async () => {
    const reply = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Contact', JSON.stringify({ LastName: 'x', Account: { Ext_Id__c: 'A-404' } }));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toEqual([{ errorCode: 'INVALID_FIELD', message: NOT_FOUND.message, fields: [] }]);
    const err = await failure(conn.sobject('Contact').create({ LastName: 'x', Account: { Ext_Id__c: 'A-404' } } as never));
    expect(err.name).toBe('INVALID_FIELD');
  });

  it('a parent field that is not an External ID or idLookup field is refused', async () => {
    const reply = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Contact', JSON.stringify({ LastName: 'x', Account: { Name: 'Parent' } }));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toEqual([
      { errorCode: 'INVALID_FIELD', message: 'Field name provided, Name is not an External ID or indexed field for Account', fields: [] },
    ]);
  });
});

describe('sObject Collections', () => {
  it('create, update and upsert resolve per record; a missing parent fails only its record', async () => {
    const created = (await conn.sobject('Contact').create([
      { LastName: 'C1', Account: { Ext_Id__c: 'A-1' } },
      { LastName: 'C2', Account: { Ext_Id__c: 'A-404' } },
      { LastName: 'C3', AccountId: otherId },
    ] as never)) as unknown as Result[];
    expect(created.map((r) => r.success)).toEqual([true, false, true]);
    expect(created[1]?.errors).toEqual([NOT_FOUND]);
    expect(accountOf(created[0]?.id)).toBe(parentId);
    const updated = (await conn.sobject('Contact').update([
      { Id: created[0]!.id!, Account: { Ext_Id__c: 'A-2' } },
      { Id: created[2]!.id!, Account: { Ext_Id__c: 'A-404' } },
    ] as never)) as unknown as Result[];
    expect(updated.map((r) => r.success)).toEqual([true, false]);
    expect(updated[1]?.errors).toEqual([NOT_FOUND]);
    expect([accountOf(created[0]?.id), accountOf(created[2]?.id)]).toEqual([otherId, otherId]);
    const upserted = (await conn.sobject('Contact').upsert(
      [
        { Ext_Id__c: 'C-2', LastName: 'U1', Account: { Ext_Id__c: 'A-1' } },
        { Ext_Id__c: 'C-3', LastName: 'U2', Account: { Ext_Id__c: 'A-404' } },
      ] as never,
      'Ext_Id__c',
    )) as unknown as Result[];
    expect(upserted.map((r) => r.success)).toEqual([true, false]);
    expect(upserted[0]?.created).toBe(true);
    expect(upserted[1]?.errors).toEqual([NOT_FOUND]);
    expect(accountOf(upserted[0]?.id)).toBe(parentId);
  });
});

describe('Bulk API 2.0 ingest', () => {
  async function load(operation: 'insert' | 'update' | 'upsert', input: string, externalIdFieldName?: string) {
    const r = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation, input, ...(externalIdFieldName ? { externalIdFieldName } : {}) });
    return r as unknown as { successfulResults: Row[]; failedResults: Row[] };
  }

  it("insert, update and upsert resolve an Account.Ext_Id__c column; a missing parent fails its row with Salesforce's error", async () => {
    const inserted = await load('insert', 'LastName,Account.Ext_Id__c\nB1,A-1\nB2,A-404\n');
    expect(inserted.successfulResults.map((r) => [r.LastName, r['Account.Ext_Id__c']])).toEqual([['B1', 'A-1']]);
    expect(inserted.failedResults).toEqual([
      {
        sf__Id: '',
        sf__Error: 'INVALID_FIELD:Foreign key external ID: A-404 not found for field Ext_Id__c in entity Account:--',
        LastName: 'B2',
        'Account.Ext_Id__c': 'A-404',
      },
    ]);
    const id = inserted.successfulResults[0]!.sf__Id!;
    expect(accountOf(id)).toBe(parentId);
    const updated = await load('update', `Id,Account.Ext_Id__c\n${id},A-2\n`);
    expect(updated.failedResults).toEqual([]);
    expect(accountOf(id)).toBe(otherId);
    const upserted = await load('upsert', 'Ext_Id__c,LastName,Account.Ext_Id__c\nC-9,B3,A-1\n', 'Ext_Id__c');
    expect(upserted.successfulResults.map((r) => r.sf__Created)).toEqual(['true']);
    expect(accountOf(upserted.successfulResults[0]?.sf__Id)).toBe(parentId);
  });

  it('a column naming a parent field that is not an External ID fails the job', async () => {
    const job = conn.bulk2.createJob({ object: 'Contact', operation: 'insert' });
    await job.open();
    await job.uploadData('LastName,Account.Name\nB4,Parent\n');
    await job.close();
    await expect(job.poll(25, 10_000)).rejects.toThrow('Field name provided, Name is not an External ID or indexed field for Account');
  });
});
