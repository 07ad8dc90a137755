/** Inbound type conversion (pure): REST JSON and Bulk CSV values → Postgres text, exactly, or a row-level error. */
import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../src/mapping/field-info.js';
import { convertValue, toUtcTimestamp } from '../../src/inbound/convert.js';
import { toInboundRow } from '../../src/inbound/record.js';
import { fieldInfo } from '../support/field-info.js';

const field = (name: string, type: string, pgType: string): FieldInfo => fieldInfo(name, { type, pgType });

describe('convertValue', () => {
  it('keeps text exactly and checks varchar length in characters', () => {
    const f = field('Name', 'string', 'varchar(5)');
    expect(convertValue(f, 'a"b\nc', 'rest')).toEqual({ ok: true, value: 'a"b\nc' });
    expect(convertValue(f, '日本語🎉!', 'rest')).toEqual({ ok: true, value: '日本語🎉!' });
    expect(convertValue(f, 'abcdef', 'rest')).toMatchObject({ ok: false, code: 'STRING_TOO_LONG' });
    expect(convertValue(f, 'a\u0000', 'rest')).toMatchObject({ ok: false, code: 'INVALID_CHARACTER' });
  });

  it('treats null, and the empty Bulk CSV value, as null', () => {
    const f = field('Name', 'string', 'varchar(5)');
    expect(convertValue(f, null, 'rest')).toEqual({ ok: true, value: null });
    expect(convertValue(f, '', 'bulk')).toEqual({ ok: true, value: null });
  });

  it('converts numbers with range checks', () => {
    expect(convertValue(field('N', 'int', 'integer'), 2147483647, 'rest')).toEqual({ ok: true, value: '2147483647' });
    expect(convertValue(field('N', 'int', 'integer'), '2147483648', 'bulk')).toMatchObject({ ok: false, code: 'NUMBER_OUT_OF_RANGE' });
    expect(convertValue(field('D', 'double', 'double precision'), 0.30000000000000004, 'rest')).toEqual({ ok: true, value: '0.30000000000000004' });
    expect(convertValue(field('D', 'double', 'double precision'), '1.5e3', 'bulk')).toEqual({ ok: true, value: '1.5e3' });
    expect(convertValue(field('D', 'double', 'double precision'), 'abc', 'bulk')).toMatchObject({ ok: false, code: 'INVALID_NUMBER' });
    expect(convertValue(field('M', 'currency', 'numeric(5, 2)'), 1234.5, 'rest')).toMatchObject({ ok: false, code: 'NUMBER_OUT_OF_RANGE' });
    expect(convertValue(field('M', 'currency', 'numeric(5, 2)'), 123.45, 'rest')).toEqual({ ok: true, value: '123.45' });
  });

  it('converts booleans from JSON and CSV', () => {
    const f = field('B', 'boolean', 'boolean');
    expect(convertValue(f, true, 'rest')).toEqual({ ok: true, value: 'true' });
    expect(convertValue(f, 'false', 'bulk')).toEqual({ ok: true, value: 'false' });
    expect(convertValue(f, 'maybe', 'bulk')).toMatchObject({ ok: false });
  });

  it('converts dates, datetimes (UTC, ms kept) and times', () => {
    expect(convertValue(field('D', 'date', 'date'), '2024-02-29', 'rest')).toEqual({ ok: true, value: '2024-02-29' });
    expect(convertValue(field('D', 'date', 'date'), '2023-02-29', 'rest')).toMatchObject({ ok: false, code: 'INVALID_DATE' });
    const dt = field('T', 'datetime', 'timestamp(3)');
    expect(convertValue(dt, '2024-01-02T03:04:05.123+0000', 'rest')).toEqual({ ok: true, value: '2024-01-02 03:04:05.123' });
    expect(convertValue(dt, '2024-01-02T03:04:05.120Z', 'bulk')).toEqual({ ok: true, value: '2024-01-02 03:04:05.120' });
    expect(convertValue(dt, '2024-01-02T03:04:05.000+0200', 'rest')).toEqual({ ok: true, value: '2024-01-02 01:04:05.000' });
    expect(convertValue(field('C', 'time', 'time(3)'), '13:14:15.678Z', 'rest')).toEqual({ ok: true, value: '13:14:15.678' });
    expect(toUtcTimestamp('nonsense')).toBeUndefined();
  });

  it('keeps multipicklists as sent', () => {
    expect(convertValue(field('P', 'multipicklist', 'varchar(4099)'), 'A;B;C', 'rest')).toEqual({ ok: true, value: 'A;B;C' });
  });
});

describe('toInboundRow', () => {
  it('maps fixed fields and collects field errors without dropping the row', () => {
    const fields = [field('Name', 'string', 'varchar(3)'), field('Count__c', 'int', 'integer')];
    const row = toInboundRow(
      { Id: '001000000000001AAA', SystemModstamp: '2024-01-02T03:04:05.000Z', IsDeleted: 'false', Name: 'toolong', Count__c: '7' },
      fields,
      'bulk',
    );
    expect(row).toMatchObject({ sfid: '001000000000001AAA', systemmodstamp: '2024-01-02 03:04:05.000', isdeleted: false, values: { count__c: '7' } });
    expect(row.errors).toEqual([expect.objectContaining({ field: 'Name', code: 'STRING_TOO_LONG' })]);
  });
});
