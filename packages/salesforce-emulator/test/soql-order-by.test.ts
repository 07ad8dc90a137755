import { describe, expect, it } from 'vitest';
import { compileSoql } from '../src/soql/index.js';
import type { SoqlOptions } from '../src/ports.js';
import { FakeSource, makeId, schema } from './soql-fake-org.js';

const options: SoqlOptions = { includeDeleted: false, apiVersion: '59.0', now: new Date('2024-06-15T12:00:00Z') };

function org(): FakeSource {
  const s = new FakeSource();
  s.add('User', makeId('005', 1), { Name: 'zed' });
  s.add('User', makeId('005', 2), { Name: 'Amy' });
  const rows: Array<[string | null, number | null, string | null]> = [
    ['b', 2, makeId('005', 1)],
    ['A', 2, null],
    [null, 1, makeId('005', 2)],
    ['c', null, makeId('005', 2)],
    ['a2', 1, null],
  ];
  rows.forEach(([name, revenue, owner], i) => {
    s.add('Account', makeId('001', i + 1), { Name: name, AnnualRevenue: revenue, OwnerId: owner }, { stampMs: Date.UTC(2024, 0, 1, 0, 0, 10 - i) });
  });
  return s;
}

function names(soql: string, source = org()): Array<unknown> {
  return compileSoql(soql, schema)
    .execute(source, options)
    .takeFlat(100)
    .map((row) => row[0]);
}

describe('SOQL ORDER BY, LIMIT, OFFSET', () => {
  it('ASC defaults to NULLS FIRST and orders text case-insensitively', () => {
    expect(names('SELECT Name FROM Account ORDER BY Name')).toEqual([null, 'A', 'a2', 'b', 'c']);
    expect(names('SELECT Name FROM Account ORDER BY Name ASC NULLS LAST')).toEqual(['A', 'a2', 'b', 'c', null]);
  });

  it('DESC defaults to NULLS LAST', () => {
    expect(names('SELECT Name FROM Account ORDER BY Name DESC')).toEqual(['c', 'b', 'a2', 'A', null]);
    expect(names('SELECT Name FROM Account ORDER BY Name DESC NULLS FIRST')).toEqual([null, 'c', 'b', 'a2', 'A']);
  });

  it('orders by several keys', () => {
    expect(names('SELECT Name FROM Account ORDER BY AnnualRevenue DESC, Name DESC')).toEqual(['b', 'A', 'a2', null, 'c']);
  });

  it('orders by a parent field', () => {
    expect(names('SELECT Name FROM Account ORDER BY Owner.Name NULLS LAST, Name')).toEqual([null, 'c', 'b', 'A', 'a2']);
  });

  it('orders by SystemModstamp through the index, both directions', () => {
    expect(names('SELECT Name FROM Account ORDER BY SystemModstamp')).toEqual(['a2', 'c', null, 'A', 'b']);
    expect(names('SELECT Name FROM Account ORDER BY SystemModstamp DESC')).toEqual(['b', 'A', null, 'c', 'a2']);
  });

  it('applies LIMIT and OFFSET after sorting; totalSize counts returned rows', () => {
    const cursor = compileSoql('SELECT Name FROM Account ORDER BY Name NULLS LAST LIMIT 2 OFFSET 1', schema).execute(org(), options);
    expect(cursor.totalSize).toBe(2);
    expect(cursor.takeFlat(10)).toEqual([['a2'], ['b']]);
    expect(names('SELECT Name FROM Account ORDER BY Name LIMIT 0')).toEqual([]);
    expect(names('SELECT Name FROM Account ORDER BY Name OFFSET 4')).toEqual(['c']);
  });

  it('keeps the top rows right when LIMIT is far smaller than the match count', () => {
    const s = new FakeSource();
    for (let i = 0; i < 5000; i++) s.add('Account', makeId('001', i), { Name: `N${(i * 7919) % 5000}`, AnnualRevenue: i % 3 });
    expect(names('SELECT AnnualRevenue FROM Account ORDER BY AnnualRevenue DESC, Name LIMIT 3', s)).toEqual([2, 2, 2]);
    const rows = compileSoql('SELECT Name FROM Account ORDER BY Name DESC LIMIT 3 OFFSET 1', schema).execute(s, options).takeFlat(3);
    expect(rows).toEqual([['N998'], ['N997'], ['N996']]);
  });
});
