/** The Bulk results CSV parser agrees with csv-parse on Salesforce's dialect. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../../src/salesforce/read-csv.js';

describe('parseCsvRecords', () => {
  it('matches csv-parse on quotes, commas, CRLF and newlines inside values, and empty values', () => {
    const text = '"Id","Name","Note"\r\n"1","a ""quoted"", value","line1\nline2\r\nline3"\r\n"2","",""\r\n"3","日本語 🎉","x"\r\n';
    expect(parseCsvRecords(text)).toEqual(parse(text, { columns: true }));
    expect(parseCsvRecords(text)[0]).toEqual({ Id: '1', Name: 'a "quoted", value', Note: 'line1\nline2\r\nline3' });
  });

  it('handles unquoted values, a BOM, no trailing newline and a header-only page', () => {
    expect(parseCsvRecords('\uFEFFA,B\nx,\ny,z')).toEqual([
      { A: 'x', B: '' },
      { A: 'y', B: 'z' },
    ]);
    expect(parseCsvRecords('"A","B"\n')).toEqual([]);
    expect(parseCsvRecords('')).toEqual([]);
  });
});
