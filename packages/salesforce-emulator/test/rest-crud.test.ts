import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { failure, login, raw } from './core-helpers.js';

describe('emulator REST records', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emu = await startEmulator({
      schema: {
        objects: [
          {
            name: 'Invoice__c',
            fields: [
              { name: 'Amount__c', type: 'currency', precision: 10, scale: 2, required: true },
              { name: 'Code__c', type: 'string', length: 10, externalId: true },
              { name: 'Account__c', type: 'reference', referenceTo: 'Account' },
              { name: 'Label__c', type: 'string', formula: "Code__c & ' / ' & Account__r.Name" },
              { name: 'Status__c', type: 'picklist', picklist: ['Open', 'Paid'], restricted: true },
            ],
            validationRules: [{ name: 'NoNegative', errorWhen: 'Amount__c < 0', message: 'Amount must not be negative', field: 'Amount__c' }],
          },
        ],
      },
    });
    conn = await login(emu);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('lists versions without auth and the resource root with it', async () => {
    const versions = (await (await fetch(`${emu.url}/services/data/`)).json()) as Array<{ version: string; label: string }>;
    expect(versions.find((v) => v.version === '59.0')?.label).toBe("Winter '24");
    const root = await raw(conn, 'GET', '/services/data/v59.0');
    expect(JSON.parse(root.text).sobjects).toBe('/services/data/v59.0/sobjects');
    expect((await raw(conn, 'GET', '/services/data/v40.0/limits')).status).toBe(404);
  });

  it('describes globally and per object', async () => {
    const global = await conn.describeGlobal();
    const names = global.sobjects.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['Account', 'Contact', 'Lead', 'Opportunity', 'Case', 'User', 'PushTopic', 'Invoice__c']));
    const account = await conn.sobject('Account').describe();
    const name = account.fields.find((f) => f.name === 'Name');
    expect(name).toMatchObject({ type: 'string', length: 255, nillable: false, createable: true, nameField: true });
    expect(account.fields.find((f) => f.name === 'Id')).toMatchObject({ type: 'id', idLookup: true, createable: false });
    expect(account.fields.find((f) => f.name === 'BillingAddress')?.type).toBe('address');
    expect(account.childRelationships.some((c) => c.childSObject === 'Contact' && c.relationshipName === 'Contacts')).toBe(true);
    const contact = await conn.sobject('Contact').describe();
    expect(contact.fields.find((f) => f.name === 'AccountId')).toMatchObject({ referenceTo: ['Account'], relationshipName: 'Account' });
    expect(account.keyPrefix).toBe('001');
  });

  it('creates, reads, updates and deletes with Salesforce statuses', async () => {
    const created = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Account', JSON.stringify({ Name: 'Acme', BillingCity: 'Paris' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const { id } = JSON.parse(created.text) as { id: string };
    const rec = await conn.sobject('Account').retrieve(id);
    expect(rec).toMatchObject({ Name: 'Acme', IsDeleted: false, Description: null, BillingAddress: { city: 'Paris' } });
    expect(rec.SystemModstamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const patched = await raw(conn, 'PATCH', `/services/data/v59.0/sobjects/Account/${id}`, JSON.stringify({ Name: 'Acme 2' }));
    expect(patched.status).toBe(204);
    expect((await conn.sobject('Account').retrieve(id)).Name).toBe('Acme 2');
    expect((await raw(conn, 'DELETE', `/services/data/v59.0/sobjects/Account/${id}`)).status).toBe(204);
    const gone = await failure(conn.sobject('Account').retrieve(id));
    expect(gone.name).toBe('ENTITY_IS_DELETED');
    expect((await failure(conn.sobject('Account').update({ Id: id, Name: 'x' }))).name).toBe('ENTITY_IS_DELETED');
    expect((await failure(conn.sobject('Account').retrieve('001000000000000AAA'))).name).toBe('NOT_FOUND');
  });

  it('validates writes: required, length, unknown and read-only fields, types, picklists, references, rules', async () => {
    const obj = conn.sobject('Account');
    const err = async (values: Record<string, unknown>, object = 'Account'): Promise<string> => {
      const res = await raw(conn, 'POST', `/services/data/v59.0/sobjects/${object}`, JSON.stringify(values));
      expect(res.status).toBe(400);
      return (JSON.parse(res.text) as Array<{ errorCode: string }>)[0]?.errorCode ?? '';
    };
    expect(await err({ Description: 'no name' })).toBe('REQUIRED_FIELD_MISSING');
    expect(await err({ Name: 'x'.repeat(256) })).toBe('STRING_TOO_LONG');
    expect(await err({ Name: 'x', Nope__c: 1 })).toBe('INVALID_FIELD');
    expect(await err({ Name: 'x', CreatedDate: '2020-01-01T00:00:00Z' })).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(await err({ Name: 'x', NumberOfEmployees: 'many' })).toBe('INVALID_TYPE_ON_FIELD_IN_RECORD');
    expect(await err({ Name: 'x', NumberOfEmployees: true })).toBe('JSON_PARSER_ERROR');
    expect(await err({ Name: 'x', ParentId: '001000000000000AAA' })).toBe('INVALID_CROSS_REFERENCE_KEY');
    expect(await err({ Amount__c: 1, Status__c: 'Lost' }, 'Invoice__c')).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(await err({ Amount__c: -5 }, 'Invoice__c')).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    await obj.create({ Name: 'Unique', Ext_Id__c: 'U-1' });
    expect(await err({ Name: 'Dup', Ext_Id__c: 'u-1' })).toBe('DUPLICATE_VALUE');
  });

  it('names a lookup by its standard label (Account ID) in MALFORMED_ID and describe', async () => {
    const res = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Contact', JSON.stringify({ LastName: 'Doe', AccountId: 'garbage' }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual([{ errorCode: 'MALFORMED_ID', message: 'Account ID: id value of incorrect type: garbage', fields: ['AccountId'] }]);
    const contact = await conn.sobject('Contact').describe();
    const label = (name: string): string | undefined => contact.fields.find((f) => f.name === name)?.label;
    expect([label('AccountId'), label('OwnerId'), label('CreatedById'), label('LastModifiedById')]).toEqual([
      'Account ID',
      'Owner ID',
      'Created By ID',
      'Last Modified By ID',
    ]);
  });

  it('accepts parent references by external id and computes formulas on read without moving SystemModstamp', async () => {
    await conn.sobject('Account').create({ Name: 'Parent Co', Ext_Id__c: 'P-1' });
    const res = await conn.sobject('Invoice__c').create({ Amount__c: 10, Code__c: 'INV-1', Account__r: { Ext_Id__c: 'P-1' } } as never);
    const id = (res as unknown as { id: string }).id;
    const first = await conn.sobject('Invoice__c').retrieve(id);
    expect(first.Label__c).toBe('INV-1 / Parent Co');
    const second = await conn.sobject('Invoice__c').retrieve(id);
    expect(second.SystemModstamp).toBe(first.SystemModstamp);
    const missing = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Contact', JSON.stringify({ LastName: 'x', Account: { Ext_Id__c: 'none' } }));
    expect(JSON.parse(missing.text)[0].errorCode).toBe('INVALID_FIELD');
  });

  it('upserts by external id: 201, 200, 300 and 404 with updateOnly', async () => {
    const path = '/services/data/v59.0/sobjects/Account/Ext_Id__c/UP-1';
    const first = await raw(conn, 'PATCH', path, JSON.stringify({ Name: 'Up' }));
    expect(first.status).toBe(201);
    expect(JSON.parse(first.text)).toMatchObject({ success: true, created: true });
    const second = await raw(conn, 'PATCH', path, JSON.stringify({ Name: 'Up 2' }));
    expect(second.status).toBe(200);
    expect(JSON.parse(second.text)).toMatchObject({ created: false });
    const viaJsforce = await conn.sobject('Account').upsert({ Name: 'Up 3', Ext_Id__c: 'UP-1' }, 'Ext_Id__c');
    expect(viaJsforce).toMatchObject({ success: true, created: false });
    const missing = await raw(conn, 'PATCH', '/services/data/v59.0/sobjects/Account/Ext_Id__c/UP-404?updateOnly=true', JSON.stringify({ Name: 'x' }));
    expect(missing.status).toBe(404);
    await conn.sobject('Invoice__c').create([
      { Amount__c: 1, Code__c: 'TWICE' },
      { Amount__c: 2, Code__c: 'TWICE' },
    ]);
    const multi = await raw(conn, 'PATCH', '/services/data/v59.0/sobjects/Invoice__c/Code__c/TWICE', JSON.stringify({ Amount__c: 3 }));
    expect(multi.status).toBe(300);
    expect(JSON.parse(multi.text)).toHaveLength(2);
    expect((await failure(conn.sobject('Invoice__c').upsert({ Amount__c: 3, Code__c: 'TWICE' }, 'Code__c'))).name).toBe('MULTIPLE_CHOICES');
    expect((await raw(conn, 'PATCH', '/services/data/v59.0/sobjects/Account/Name/x', '{}')).status).toBe(404);
  });

  it('answers bad input with Salesforce errors and keeps serving', async () => {
    const bad = await raw(conn, 'POST', '/services/data/v59.0/sobjects/Account', '{"Name": ');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)[0].errorCode).toBe('JSON_PARSER_ERROR');
    expect((await raw(conn, 'POST', '/services/data/v59.0/sobjects/Account', '[1,2]')).status).toBe(400);
    expect((await raw(conn, 'GET', '/services/data/v59.0/sobjects/Nope__c/describe')).status).toBe(404);
    expect((await raw(conn, 'GET', '/services/data/v59.0/sobjects/Account/%E0%A4%A')).status).toBe(404);
    expect((await raw(conn, 'PUT', '/services/data/v59.0/sobjects/Account')).status).toBe(405);
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
  });
});
