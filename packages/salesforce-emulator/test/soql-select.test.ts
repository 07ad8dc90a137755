import { describe, expect, it } from 'vitest';
import { compileSoql } from '../src/soql/index.js';
import type { SoqlOptions } from '../src/ports.js';
import { FakeSource, makeId, schema } from './soql-fake-org.js';

const options: SoqlOptions = { includeDeleted: false, apiVersion: '59.0', now: new Date('2024-06-15T12:00:00Z') };

function org(): FakeSource {
  const source = new FakeSource();
  source.add('User', makeId('005', 1), { Name: 'Ann' });
  source.add('Account', makeId('001', 1), { Name: 'Acme', AnnualRevenue: 100, OwnerId: makeId('005', 1), ParentId: null });
  source.add('Account', makeId('001', 2), { Name: 'beta', AnnualRevenue: null, OwnerId: null, ParentId: makeId('001', 1) });
  source.add('Account', makeId('001', 3), { Name: 'Gone', AnnualRevenue: 5 }, { deleted: true });
  source.add('Contact', makeId('003', 1), { LastName: 'Doe', AccountId: makeId('001', 1) });
  source.add('Contact', makeId('003', 2), { LastName: 'Roe', AccountId: null });
  return source;
}

function run(soql: string, opts: Partial<SoqlOptions> = {}): Array<Record<string, unknown>> {
  return compileSoql(soql, schema)
    .execute(org(), { ...options, ...opts })
    .take(100);
}

describe('SOQL select list', () => {
  it('shapes rows with attributes, canonical names and SELECT order', () => {
    const rows = run("select name, id from ACCOUNT where Name = 'acme'");
    expect(rows).toEqual([
      { attributes: { type: 'Account', url: `/services/data/v59.0/sobjects/Account/${makeId('001', 1)}` }, Name: 'Acme', Id: makeId('001', 1) },
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual(['attributes', 'Name', 'Id']);
  });

  it('nests parent fields, multi-level, and renders an empty lookup as null', () => {
    const rows = run('SELECT LastName, Account.Name, Account.Owner.Name, account.id FROM Contact ORDER BY LastName');
    expect(rows[0]).toEqual({
      attributes: { type: 'Contact', url: `/services/data/v59.0/sobjects/Contact/${makeId('003', 1)}` },
      LastName: 'Doe',
      Account: {
        attributes: { type: 'Account', url: `/services/data/v59.0/sobjects/Account/${makeId('001', 1)}` },
        Name: 'Acme',
        Owner: { attributes: { type: 'User', url: `/services/data/v59.0/sobjects/User/${makeId('005', 1)}` }, Name: 'Ann' },
        Id: makeId('001', 1),
      },
    });
    expect(rows[1]).toMatchObject({ LastName: 'Roe', Account: null });
  });

  it('flattens rows in columns order with null for a missing parent', () => {
    const cursor = compileSoql('SELECT Id, Account.Owner.Name FROM Contact ORDER BY LastName', schema).execute(org(), options);
    expect(cursor.columns).toEqual(['Id', 'Account.Owner.Name']);
    expect(cursor.takeFlat(10)).toEqual([
      [makeId('003', 1), 'Ann'],
      [makeId('003', 2), null],
    ]);
    expect(cursor.remaining).toBe(0);
  });

  it('selects formula fields through source.formula', () => {
    expect(run("SELECT Double_Revenue__c FROM Account WHERE Name = 'Acme'")[0]).toMatchObject({ Double_Revenue__c: 200 });
    expect(run('SELECT Id FROM Account WHERE Double_Revenue__c > 150')).toHaveLength(1);
  });

  it('exposes selectedFields and the canonical object', () => {
    const q = compileSoql('SELECT id, parent.name FROM account', schema);
    expect(q.selectedFields).toEqual(['Id', 'Parent.Name']);
    expect(q.object.name).toBe('Account');
  });

  it('hides deleted rows unless includeDeleted, and IsDeleted filters work', () => {
    expect(run('SELECT Id FROM Account')).toHaveLength(2);
    expect(run('SELECT Id FROM Account', { includeDeleted: true })).toHaveLength(3);
    expect(run('SELECT Id FROM Account WHERE IsDeleted = true', { includeDeleted: true })).toHaveLength(1);
    expect(run('SELECT Id FROM Account WHERE IsDeleted = false', { includeDeleted: true })).toHaveLength(2);
    expect(run('SELECT Id FROM Account WHERE IsDeleted = true')).toHaveLength(0);
  });

  it('pages lazily: take() advances and remaining counts down', () => {
    const cursor = compileSoql('SELECT Id FROM Account ORDER BY Name', schema).execute(org(), options);
    expect(cursor.totalSize).toBe(2);
    expect(cursor.take(1)).toHaveLength(1);
    expect(cursor.remaining).toBe(1);
    expect(cursor.take(5).map((r) => r['Id'])).toEqual([makeId('001', 2)]);
    expect(cursor.take(5)).toEqual([]);
  });
});

describe('SOQL aggregates', () => {
  it('COUNT() returns the count as totalSize with no rows', () => {
    const cursor = compileSoql('SELECT COUNT() FROM Account', schema).execute(org(), options);
    expect(cursor).toMatchObject({ isCount: true, totalSize: 2, remaining: 0 });
    expect(cursor.take(10)).toEqual([]);
    expect(compileSoql('SELECT COUNT() FROM Account LIMIT 1', schema).execute(org(), options).totalSize).toBe(1);
  });

  it('COUNT(field) returns one expr0 row counting non-null values; aliases are kept', () => {
    const cursor = compileSoql('SELECT COUNT(Id), COUNT(AnnualRevenue) c, MAX(Name) FROM Account', schema).execute(org(), options);
    expect(cursor.isCount).toBe(false);
    expect(cursor.totalSize).toBe(1);
    expect(cursor.columns).toEqual(['expr0', 'c', 'expr1']);
    expect(cursor.take(5)).toEqual([{ attributes: { type: 'AggregateResult' }, expr0: 2, c: 1, expr1: 'beta' }]);
  });

  it('SUM, AVG, MIN and COUNT_DISTINCT', () => {
    const row = run('SELECT SUM(AnnualRevenue), AVG(AnnualRevenue), MIN(AnnualRevenue), COUNT_DISTINCT(OwnerId) FROM Account', { includeDeleted: true })[0];
    expect(row).toMatchObject({ expr0: 105, expr1: 52.5, expr2: 5, expr3: 1 });
  });
});

describe('SOQL names and aliases', () => {
  it('accepts a FROM alias in SELECT, WHERE and ORDER BY', () => {
    const rows = run("SELECT a.Name, a.Owner.Name FROM Account a WHERE a.Name LIKE 'a%' ORDER BY a.Name");
    expect(rows).toEqual([expect.objectContaining({ Name: 'Acme', Owner: expect.objectContaining({ Name: 'Ann' }) })]);
  });

  it('follows polymorphic lookups to the actual parent type', () => {
    const source = org();
    source.add('Lead', makeId('00Q', 1), { Name: 'Lee' });
    source.add('Task', makeId('00T', 1), { Subject: 'Call', WhoId: makeId('00Q', 1) });
    source.add('Task', makeId('00T', 2), { Subject: 'Mail', WhoId: makeId('003', 1) });
    const rows = compileSoql('SELECT Subject, Who.Id FROM Task ORDER BY Subject', schema).execute(source, options).take(5);
    expect(rows.map((r) => (r['Who'] as { attributes: { type: string } }).attributes.type)).toEqual(['Lead', 'Contact']);
    expect(() => compileSoql('SELECT Who.LastName FROM Task', schema)).toThrow(/No such column/);
  });
});
