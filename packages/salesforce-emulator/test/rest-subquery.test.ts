/**
 * Parent-to-child relationship subqueries through jsforce: the nested
 * `{totalSize, done, records}` (or null) per parent, per-parent WHERE, ORDER BY
 * and LIMIT, queryAll's deleted children, the names describe advertises, and
 * the errors for unknown or nested relationships and for Bulk API 2.0.
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { failure, login, raw } from './core-helpers.js';

type Child = { attributes: { type: string }; Id: string; LastName?: string };
type Nested = { totalSize: number; done: boolean; records: Child[] } | null;
type AccountRow = { Id: string; Name: string; Contacts: Nested };

describe('SOQL child relationship subqueries', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  let acme = '';
  let empty = '';
  let gone = '';
  beforeAll(async () => {
    emu = await startEmulator({
      schema: { objects: [{ name: 'Invoice__c', fields: [{ name: 'Account__c', type: 'reference', referenceTo: 'Account' }] }] },
    });
    conn = await login(emu);
    acme = emu.org.create('Account', { Name: 'Acme' });
    empty = emu.org.create('Account', { Name: 'Empty Co' });
    for (const last of ['Young', 'Adams', 'Moss']) emu.org.create('Contact', { LastName: last, AccountId: acme });
    gone = emu.org.create('Contact', { LastName: 'Gone', AccountId: acme });
    await conn.sobject('Contact').destroy(gone);
    emu.org.create('Invoice__c', { Name: 'INV-1', Account__c: acme });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('nests children per parent in the subquery order, null when there are none', async () => {
    const res = await conn.query<AccountRow>(
      `SELECT Id, Name, (SELECT Id, LastName FROM contacts ORDER BY LastName) FROM Account WHERE Id IN ('${acme}', '${empty}') ORDER BY Name`,
    );
    expect(res.records.map((r) => r.Name)).toEqual(['Acme', 'Empty Co']);
    const [first, second] = res.records;
    expect(first?.Contacts?.totalSize).toBe(3);
    expect(first?.Contacts?.done).toBe(true);
    expect(first?.Contacts?.records.map((c) => c.LastName)).toEqual(['Adams', 'Moss', 'Young']);
    expect(first?.Contacts?.records[0]?.attributes.type).toBe('Contact');
    expect(second?.Contacts).toBeNull();
  });

  it('applies the subquery WHERE and LIMIT per parent, and parent fields inside it', async () => {
    const res = await conn.query<{ Contacts: Nested }>(
      `SELECT Id, (SELECT LastName, Account.Name FROM Contacts WHERE LastName != 'Moss' ORDER BY LastName DESC LIMIT 1) FROM Account WHERE Id = '${acme}'`,
    );
    expect(res.records[0]?.Contacts?.records).toEqual([expect.objectContaining({ LastName: 'Young', Account: expect.objectContaining({ Name: 'Acme' }) })]);
  });

  it('includes deleted children only through queryAll', async () => {
    const soql = `SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id = '${acme}'`;
    expect((await conn.query<AccountRow>(soql)).records[0]?.Contacts?.totalSize).toBe(3);
    const all = await conn.query<AccountRow>(soql, { scanAll: true });
    expect(all.records[0]?.Contacts?.records.map((c) => c.Id)).toContain(gone);
  });

  it('uses the relationship names describe advertises, custom ones too', async () => {
    const describe = await conn.sobject('Account').describe();
    const names = describe.childRelationships.map((r) => r.relationshipName);
    expect(names).toEqual(expect.arrayContaining(['Contacts', 'Invoices__r']));
    const res = await conn.query<{ Invoices__r: { records: Array<{ Name: string }> } | null }>(
      `SELECT Id, (SELECT Name FROM Invoices__r) FROM Account WHERE Id = '${acme}'`,
    );
    expect(res.records[0]?.Invoices__r?.records.map((r) => r.Name)).toEqual(['INV-1']);
  });

  it('refuses unknown and nested relationships, and Bulk API 2.0 subqueries', async () => {
    const unknown = await failure(conn.query('SELECT Id, (SELECT Id FROM Nopes) FROM Account'));
    expect(unknown.name).toBe('INVALID_FIELD');
    expect(unknown.message).toMatch(/Didn't understand relationship 'Nopes'/);
    const nested = await failure(conn.query('SELECT Id, (SELECT Id, (SELECT Id FROM Cases) FROM Contacts) FROM Account'));
    expect(nested.name).toBe('MALFORMED_QUERY');
    const bulk = await raw(
      conn,
      'POST',
      '/services/data/v59.0/jobs/query',
      JSON.stringify({ operation: 'query', query: 'SELECT Id, (SELECT Id FROM Contacts) FROM Account' }),
      { 'Content-Type': 'application/json' },
    );
    expect(bulk.status).toBe(400);
    expect(JSON.parse(bulk.text)[0]).toMatchObject({ errorCode: 'FUNCTIONALITY_NOT_ENABLED' });
    const offset = await raw(
      conn,
      'POST',
      '/services/data/v59.0/jobs/query',
      JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Account LIMIT 5 OFFSET 1' }),
      { 'Content-Type': 'application/json' },
    );
    expect(JSON.parse(offset.text)[0]).toMatchObject({ errorCode: 'FUNCTIONALITY_NOT_ENABLED' });
  });
});
