import { describe, expect, it } from 'vitest';
import { compileSoql } from '../src/soql/index.js';
import type { SoqlOptions } from '../src/ports.js';
import { FakeSource, makeId, schema } from './soql-fake-org.js';

const options: SoqlOptions = { includeDeleted: false, apiVersion: '59.0', now: new Date('2024-06-15T12:00:00Z') };

function org(): FakeSource {
  const s = new FakeSource();
  s.add('Account', makeId('001', 1), {
    Name: "O'Brien\\Co",
    AnnualRevenue: 100,
    NumberOfEmployees: 10,
    Industry: 'Tech',
    Tags__c: 'A;B;C',
    Founded__c: '2024-06-15',
    CreatedDate: '2024-06-15T08:00:00.000+0000',
    Active__c: true,
    Description: 'line1\nline2',
  });
  s.add('Account', makeId('001', 2), {
    Name: '100% Pure_Gold',
    AnnualRevenue: -5.5,
    NumberOfEmployees: null,
    Industry: 'Retail',
    Tags__c: 'B',
    Founded__c: '2024-06-14',
    CreatedDate: '2024-06-14T23:59:59.000+0000',
    Active__c: false,
    Description: null,
  });
  s.add('Account', makeId('001', 3), {
    Name: 'acme',
    AnnualRevenue: null,
    NumberOfEmployees: 3,
    Industry: null,
    Tags__c: null,
    Founded__c: null,
    CreatedDate: '2023-12-31T23:00:00.000+0000',
    Active__c: false,
    Description: null,
  });
  s.add('Contact', makeId('003', 1), { LastName: 'Doe', AccountId: makeId('001', 1), Birthdate: '1990-01-01' });
  return s;
}

/** The numbers (1, 2, 3 of makeId) of the accounts a WHERE selects. */
function which(where: string, opts: Partial<SoqlOptions> = {}): number[] {
  const cursor = compileSoql(`SELECT Id FROM Account WHERE ${where} ORDER BY Id`, schema).execute(org(), { ...options, ...opts });
  return cursor.takeFlat(100).map((row) => Number(String(row[0]).slice(3, 15)));
}

describe('SOQL WHERE operators', () => {
  it.each([
    ["Name = 'ACME'", [3]],
    ["Name != 'acme'", [1, 2]],
    ["Name <> 'acme'", [1, 2]],
    ["Industry != 'Tech'", [2, 3]],
    ['Industry = null', [3]],
    ['Industry != null', [1, 2]],
    ['AnnualRevenue > 0', [1]],
    ['AnnualRevenue >= -5.5', [1, 2]],
    ['AnnualRevenue < 0', [2]],
    ['AnnualRevenue <= 100', [1, 2]],
    ['AnnualRevenue = USD100', [1]],
    ['NumberOfEmployees IN (3, 10)', [1, 3]],
    ['NumberOfEmployees NOT IN (3)', [1, 2]],
    ["Industry IN ('tech', null)", [1, 3]],
    ["Name > 'b'", [1]],
    ['Active__c = true', [1]],
    ['Active__c = FALSE', [2, 3]],
  ])('%s', (where, expected) => {
    expect(which(where)).toEqual(expected);
  });

  it("string literal escapes: \\' \\\\ \\n", () => {
    expect(which("Name = 'o\\'brien\\\\co'")).toEqual([1]);
    expect(which("Description = 'line1\\nline2'")).toEqual([1]);
  });

  it('LIKE: case-insensitive, % and _ wildcards, escaped \\% and \\_', () => {
    expect(which("Name LIKE 'AC%'")).toEqual([3]);
    expect(which("Name LIKE '_cme'")).toEqual([3]);
    expect(which("Name LIKE '%\\%%'")).toEqual([2]);
    expect(which("Name LIKE '%e\\_g%'")).toEqual([2]);
    expect(which("Name LIKE '%e_g%'")).toEqual([2]);
    expect(which("Name LIKE 'a'")).toEqual([]);
    expect(which("Name LIKE '%.%'")).toEqual([]);
    expect(which("Description LIKE 'line1%'")).toEqual([1]);
  });

  it("INCLUDES / EXCLUDES: 'A;B' means both", () => {
    expect(which("Tags__c INCLUDES ('B')")).toEqual([1, 2]);
    expect(which("Tags__c INCLUDES ('a;c')")).toEqual([1]);
    expect(which("Tags__c INCLUDES ('A;D', 'Z')")).toEqual([]);
    expect(which("Tags__c INCLUDES ('A;D', 'B')")).toEqual([1, 2]);
    expect(which("Tags__c EXCLUDES ('A')")).toEqual([2, 3]);
  });

  it('AND / OR / NOT with parentheses', () => {
    expect(which("(Industry = 'Tech' OR Industry = 'Retail') AND AnnualRevenue > 0")).toEqual([1]);
    expect(which("Industry = 'Tech' OR (Industry = 'Retail' AND AnnualRevenue > 0)")).toEqual([1]);
    expect(which("NOT Industry = 'Tech'")).toEqual([2, 3]);
    expect(which("NOT (Industry = 'Tech' OR Industry = null)")).toEqual([2]);
    expect(which("(NOT Name = 'acme') AND AnnualRevenue < 0")).toEqual([2]);
    expect(which('AnnualRevenue < 0 OR NOT (Active__c = false)')).toEqual([1, 2]);
    expect(which("((Name = 'acme'))")).toEqual([3]);
  });

  it('matches 15- and 18-character Ids', () => {
    expect(which(`Id = '${makeId('001', 2)}'`)).toEqual([2]);
    expect(which(`Id = '${makeId('001', 2).slice(0, 15)}'`)).toEqual([2]);
    expect(which(`Id IN ('${makeId('001', 1)}', '${makeId('001', 3).slice(0, 15)}')`)).toEqual([1, 3]);
  });

  it('filters on parent fields', () => {
    const rows = compileSoql("SELECT LastName FROM Contact WHERE Account.Industry = 'tech' AND Account.Name LIKE 'o%'", schema).execute(org(), options).take(5);
    expect(rows.map((r) => r['LastName'])).toEqual(['Doe']);
  });

  it('semi-joins: Id IN / NOT IN (SELECT AccountId FROM Contact)', () => {
    expect(which('Id IN (SELECT AccountId FROM Contact)')).toEqual([1]);
    expect(which("Id IN (SELECT AccountId FROM Contact WHERE LastName = 'nobody')")).toEqual([]);
    expect(which('Id NOT IN (SELECT AccountId FROM Contact)')).toEqual([2, 3]);
  });
});

describe('SOQL dates and datetimes', () => {
  it('date literals compare against date fields', () => {
    expect(which('Founded__c = 2024-06-15')).toEqual([1]);
    expect(which('Founded__c < 2024-06-15')).toEqual([2]);
    expect(which('Founded__c IN (2024-06-14, 2024-06-15)')).toEqual([1, 2]);
  });

  it('datetime literals with Z, milliseconds and offsets compare as instants', () => {
    expect(which('CreatedDate > 2024-06-14T23:59:58Z')).toEqual([1, 2]);
    expect(which('CreatedDate = 2024-06-14T23:59:59Z')).toEqual([2]);
    expect(which('CreatedDate = 2024-06-14T23:59:59.000Z')).toEqual([2]);
    expect(which('CreatedDate > 2024-06-14T23:59:59.001Z')).toEqual([1]);
    // 2024-06-15T01:00:00+02:00 is 2024-06-14T23:00:00Z
    expect(which('CreatedDate > 2024-06-15T01:00:00+02:00')).toEqual([1, 2]);
    expect(which('CreatedDate < 2024-06-14T17:00:00-06:00')).toEqual([3]);
    expect(which('CreatedDate < 2024-06-14T18:00:00-06:00')).toEqual([2, 3]);
  });

  it('rejects impossible dates', () => {
    expect(() => which('Founded__c = 2024-02-30')).toThrow(/Invalid date/);
  });

  it('TODAY / YESTERDAY / TOMORROW on date and datetime fields (UTC, options.now)', () => {
    expect(which('Founded__c = TODAY')).toEqual([1]);
    expect(which('Founded__c = YESTERDAY')).toEqual([2]);
    expect(which('Founded__c < TODAY')).toEqual([2]);
    expect(which('Founded__c > YESTERDAY')).toEqual([1]);
    expect(which('Founded__c = TOMORROW')).toEqual([]);
    expect(which('CreatedDate = TODAY')).toEqual([1]);
    expect(which('CreatedDate = YESTERDAY')).toEqual([2]);
    expect(which('CreatedDate <= YESTERDAY')).toEqual([2, 3]);
    expect(which('CreatedDate >= TODAY')).toEqual([1]);
    expect(which('CreatedDate != TODAY')).toEqual([2, 3]);
    expect(which('CreatedDate IN (TODAY, YESTERDAY)')).toEqual([1, 2]);
  });

  it('LAST_N_DAYS / NEXT_N_DAYS and week, month, year literals', () => {
    expect(which('CreatedDate = LAST_N_DAYS:1')).toEqual([1, 2]);
    expect(which('CreatedDate = LAST_N_DAYS:400')).toEqual([1, 2, 3]);
    expect(which('Founded__c = NEXT_N_DAYS:5')).toEqual([]);
    expect(which('Founded__c = NEXT_N_DAYS:5', { now: new Date('2024-06-13T00:00:00Z') })).toEqual([1, 2]);
    // 2024-06-15 is a Saturday: THIS_WEEK is Sun 06-09 .. Sat 06-15.
    expect(which('CreatedDate = THIS_WEEK')).toEqual([1, 2]);
    expect(which('CreatedDate = THIS_WEEK', { now: new Date('2024-06-16T00:00:00Z') })).toEqual([]);
    expect(which('CreatedDate = LAST_WEEK', { now: new Date('2024-06-16T00:00:00Z') })).toEqual([1, 2]);
    expect(which('CreatedDate = THIS_MONTH')).toEqual([1, 2]);
    expect(which('CreatedDate = LAST_MONTH', { now: new Date('2024-07-01T00:00:00Z') })).toEqual([1, 2]);
    expect(which('CreatedDate = THIS_YEAR')).toEqual([1, 2]);
    expect(which('CreatedDate = LAST_YEAR')).toEqual([3]);
  });
});
