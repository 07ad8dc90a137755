/** Queries naming many values, split by count and by their encoded length in the URI (pure). */
import { describe, expect, it } from 'vitest';
import { encodedSoqlBytes, MAX_ENCODED_SOQL_BYTES, soqlChunks } from '../../src/salesforce/query-chunks.js';
import { windowSoql } from '../../src/inbound/window-bounds.js';

const ids = Array.from({ length: 1000 }, (_, i) => `001${String(i).padStart(12, '0')}AAA`);
const wideFields = ['Id', ...Array.from({ length: 240 }, (_, i) => `Field_${String(i).padStart(3, '0')}_with_a_rather_long_name__c`)];
const byId = (fields: string[]) => (some: readonly string[]) => windowSoql({ sobject: 'Wide__c', fields, ids: some });

describe('soqlChunks', () => {
  it('splits by count alone when the queries are short', () => {
    const chunks = [...soqlChunks(ids, byId(['Id', 'Name']), 300)];
    expect(chunks.map((c) => c.values.length)).toEqual([300, 300, 300, 100]);
    expect(chunks[3]!.soql).toBe(byId(['Id', 'Name'])(ids.slice(900)));
  });

  it('keeps every query of a wide object within the limit, each as long as fits, every value once and in order', () => {
    // 300 Ids beside 240 long field names: ~19,000 bytes encoded, past Salesforce's 16,384-byte URI.
    expect(encodedSoqlBytes(byId(wideFields)(ids.slice(0, 300)))).toBeGreaterThan(16_384);
    const chunks = [...soqlChunks(ids, byId(wideFields), 300)];
    expect(chunks.flatMap((c) => c.values)).toEqual(ids);
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.soql).toBe(byId(wideFields)(chunk.values));
      expect(encodedSoqlBytes(chunk.soql)).toBeLessThanOrEqual(MAX_ENCODED_SOQL_BYTES);
      const start = chunks.slice(0, i).reduce((n, c) => n + c.values.length, 0);
      if (start + chunk.values.length < ids.length) {
        expect(encodedSoqlBytes(byId(wideFields)(ids.slice(start, start + chunk.values.length + 1)))).toBeGreaterThan(MAX_ENCODED_SOQL_BYTES);
      }
    }
    expect(chunks.length).toBeGreaterThan(4);
  });

  it('splits long values (External IDs of up to 255 characters) by length too', () => {
    const values = Array.from({ length: 200 }, (_, i) => `${'x'.repeat(250)}${String(i).padStart(5, '0')}`);
    const soql = (some: readonly string[]) => `SELECT Id FROM Account WHERE Ext__c IN (${some.map((v) => `'${v}'`).join(', ')})`;
    const chunks = [...soqlChunks(values, soql, 200, 2_000)];
    expect(chunks.flatMap((c) => c.values)).toEqual(values);
    expect(chunks.every((c) => encodedSoqlBytes(c.soql) <= 2_000)).toBe(true);
  });

  it('yields a value alone when even that is too long, and nothing for no values', () => {
    const chunks = [...soqlChunks(['a', 'b'], (some) => `SELECT Id FROM Account WHERE Name IN ('${some.join("', '")}') ${'x'.repeat(100)}`, 10, 50)];
    expect(chunks.map((c) => c.values)).toEqual([['a'], ['b']]);
    expect([...soqlChunks([], byId(wideFields), 300)]).toEqual([]);
  });
});
