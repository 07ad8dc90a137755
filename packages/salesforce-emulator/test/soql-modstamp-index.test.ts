import { describe, expect, it } from 'vitest';
import { compileSoql } from '../src/soql/index.js';
import type { SoqlOptions } from '../src/ports.js';
import { FakeSource, makeId, schema } from './soql-fake-org.js';

const options: SoqlOptions = { includeDeleted: false, apiVersion: '59.0', now: new Date('2024-06-15T12:00:00Z') };
const BASE = Date.parse('2024-01-01T00:00:00Z');
const N = 200_000;

/** 200,000 accounts, one per second from BASE; every 10th is a "Tech" account. */
function bigSource(): FakeSource {
  const source = new FakeSource();
  for (let i = 0; i < N; i++) {
    source.add('Account', makeId('001', i), { Name: `A${i}`, Industry: i % 10 === 0 ? 'Tech' : 'Retail' }, { stampMs: BASE + i * 1000 });
  }
  return source;
}

const source = bigSource();
const stamp = (i: number): string => new Date(BASE + i * 1000).toISOString().replace('.000Z', 'Z');

describe('SOQL SystemModstamp index use', () => {
  it('reads only the window of a bounded query and counts it exactly', () => {
    source.scanCalls = [];
    source.recordsRead = 0;
    const soql = `SELECT Id, Name FROM Account WHERE SystemModstamp >= ${stamp(1000)} AND SystemModstamp < ${stamp(4000)} AND Industry = 'tech' ORDER BY SystemModstamp ASC`;
    const cursor = compileSoql(soql, schema).execute(source, options);
    expect(source.scanCalls).toEqual([{ object: 'Account', modstamp: { gte: BASE + 1000 * 1000, lt: BASE + 4000 * 1000 }, order: 'asc' }]);
    expect(source.recordsRead).toBe(3000);
    expect(cursor.totalSize).toBe(300);
    expect(cursor.take(2).map((r) => r['Name'])).toEqual(['A1000', 'A1010']);
  });

  it('skips the WHERE terms the index range guarantees, while matches() keeps the whole clause', () => {
    const window = compileSoql(`SELECT Id FROM Account WHERE SystemModstamp >= ${stamp(1000)} AND SystemModstamp < ${stamp(1010)}`, schema);
    expect(window.execute(source, options).totalSize).toBe(10);
    const inside = source.get(makeId('001', 1005));
    const outside = source.get(makeId('001', 5000));
    expect(inside && window.matches(inside, source)).toBe(true);
    expect(outside && window.matches(outside, source)).toBe(false);
    // An OR is not a range: every record is tested against the whole clause (5 early ones + 20,000 Tech, one in both).
    const either = compileSoql(`SELECT COUNT() FROM Account WHERE SystemModstamp < ${stamp(5)} OR Industry = 'Tech'`, schema);
    expect(either.execute(source, options).totalSize).toBe(20_004);
  });

  it('stops the index scan early for ORDER BY SystemModstamp DESC with LIMIT', () => {
    source.recordsRead = 0;
    const cursor = compileSoql(`SELECT Id FROM Account WHERE SystemModstamp > ${stamp(10)} ORDER BY SystemModstamp DESC LIMIT 5`, schema).execute(
      source,
      options,
    );
    expect(source.recordsRead).toBe(5);
    expect(cursor.totalSize).toBe(5);
    expect(cursor.take(1)[0]?.['Id']).toBe(makeId('001', N - 1));
  });

  it('scans in index order without a WHERE when ordering by SystemModstamp', () => {
    source.scanCalls = [];
    source.recordsRead = 0;
    const cursor = compileSoql('SELECT Id FROM Account ORDER BY SystemModstamp LIMIT 3', schema).execute(source, options);
    expect(source.scanCalls).toEqual([{ object: 'Account', modstamp: {}, order: 'asc' }]);
    expect(source.recordsRead).toBe(3);
    expect(cursor.takeFlat(3)).toEqual([[makeId('001', 0)], [makeId('001', 1)], [makeId('001', 2)]]);
  });

  it('does not use the index when SystemModstamp is only bounded inside an OR', () => {
    source.scanCalls = [];
    const cursor = compileSoql(`SELECT Id FROM Account WHERE SystemModstamp < ${stamp(2)} OR Name = 'A5'`, schema).execute(source, options);
    expect(source.scanCalls).toEqual([{ object: 'Account' }]);
    expect(cursor.totalSize).toBe(3);
  });

  it('turns a date literal on SystemModstamp into an index range', () => {
    source.scanCalls = [];
    const now = new Date(BASE + 100 * 1000);
    const cursor = compileSoql('SELECT Id FROM Account WHERE SystemModstamp = TODAY', schema).execute(source, { ...options, now });
    expect(source.scanCalls[0]?.modstamp).toEqual({ gte: BASE, lt: BASE + 86_400_000 });
    expect(cursor.totalSize).toBe(86_400);
  });
});
