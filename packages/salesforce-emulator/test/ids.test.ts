import { describe, expect, it } from 'vitest';
import { IdGenerator, idChecksum, normalizeId, to18 } from '../src/org/ids.js';

describe('Salesforce Id checksum', () => {
  it.each([
    ['001D000000IRFma', 'IAH'],
    ['001D000000Iomaz', 'IAB'],
    ['a00D0000008pQRA', 'IA2'],
    ['00558000001N0Ke', 'AAK'],
  ])('%s → %s', (id15, suffix) => {
    expect(idChecksum(id15)).toBe(suffix);
    expect(to18(id15)).toBe(id15 + suffix);
  });

  it('normalises 15-character and any-case 18-character Ids', () => {
    expect(normalizeId('001D000000IRFma')).toBe('001D000000IRFmaIAH');
    expect(normalizeId('001d000000irfmaiah')).toBe('001D000000IRFmaIAH');
    expect(normalizeId('001D000000IRFmaIAH')).toBe('001D000000IRFmaIAH');
  });

  it('rejects what is not an Id', () => {
    expect(normalizeId('hello')).toBeUndefined();
    expect(normalizeId('001D000000IRFmaIA!')).toBeUndefined();
    expect(normalizeId('001D000000IRFma999')).toBeUndefined();
  });

  it('generates valid, distinct Ids with the key prefix', () => {
    const ids = new IdGenerator();
    const a = ids.next('001');
    const b = ids.next('001');
    expect(a).not.toBe(b);
    expect(a.startsWith('001')).toBe(true);
    expect(normalizeId(a.toLowerCase())).toBe(a);
  });
});
