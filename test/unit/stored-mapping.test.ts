/**
 * The re-check of a mapping read back from sfsync.mappings (stored-mapping.ts)
 * and the row-filter parser it uses (row-filter.ts): every type sfsync
 * creates passes, anything else is refused with one line naming the value.
 */
import { describe, expect, it } from 'vitest';
import { pgTypeFor, toFieldInfo } from '../../src/mapping/field-info.js';
import { parseRowFilter } from '../../src/mapping/row-filter.js';
import { checkStoredMapping } from '../../src/mapping/stored-mapping.js';
import type { DescribedField, DescribedObject } from '../../src/salesforce/salesforce-client.js';

const TYPES = [
  'id',
  'reference',
  'string',
  'encryptedstring',
  'combobox',
  'textarea',
  'picklist',
  'url',
  'multipicklist',
  'email',
  'phone',
  'int',
  'long',
  'double',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
  'time',
  'anyType',
];

function field(name: string, type: string, extra: Partial<DescribedField> = {}): DescribedField {
  return {
    name,
    type,
    length: 255,
    precision: 18,
    scale: 2,
    nillable: true,
    createable: true,
    updateable: true,
    externalId: false,
    calculated: false,
    referenceTo: [],
    relationshipName: null,
    ...extra,
  } as DescribedField;
}

const account = {
  name: 'Account',
  fields: [
    field('Name', 'string'),
    field('Industry', 'picklist'),
    field('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner' }),
    field('CreatedDate', 'datetime'),
  ],
} as unknown as DescribedObject;

const stored = (fields: unknown, rowFilter: string | null = null) => ({
  id: '7',
  sobject: 'Account',
  schema: 'salesforce',
  table: 'account',
  fields,
  externalIdField: null,
  rowFilter,
});

describe('checkStoredMapping', () => {
  it('accepts every type pgTypeFor gives, exact numbers and long text included', () => {
    const fields = TYPES.flatMap((type, i) => [
      toFieldInfo(field(`F${i}__c`, type)),
      { ...toFieldInfo(field(`G${i}__c`, type, { length: 32_000 })), pgType: pgTypeFor(field('x', type, { length: 32_000 }), true) },
    ]);
    expect(() => checkStoredMapping(stored(fields))).not.toThrow();
  });

  it.each([
    [
      'a pgType that is an expression',
      { pgType: "text || '-INJECTED'::text" },
      /field_info\[0\]\.pgType "text \|\| '-INJECTED'::text" is not one sfsync would write; re-apply the mapping/,
    ],
    ['a pgType of another type', { pgType: 'xml' }, /pgType "xml"/],
    ['a column with a quote', { column: 'na"me' }, /field_info\[0\]\.column/],
    ['a field name with a space', { name: 'Na me' }, /field_info\[0\]\.name/],
    ['a referenceTo entry that is SQL', { referenceTo: ["User'; drop"] }, /referenceTo/],
    ['a relationship name with a dot', { relationshipName: 'Owner.x' }, /relationshipName/],
    ['a type that is not a word', { type: 'string;' }, /\.type/],
  ])('refuses %s', (_what, change, message) => {
    const info = { ...toFieldInfo(field('Name', 'string')), ...change };
    expect(() => checkStoredMapping(stored([info]))).toThrow(message);
  });

  it('refuses names and a field_info that is not a list', () => {
    expect(() => checkStoredMapping({ ...stored([]), schema: 'sfsync' })).toThrow(/schema_name "sfsync"/);
    expect(() => checkStoredMapping({ ...stored([]), table: 'a"b' })).toThrow(/table_name/);
    expect(() => checkStoredMapping({ ...stored([]), externalIdField: "x' or '1" })).toThrow(/external_id_field/);
    expect(() => checkStoredMapping(stored({ 0: 'x' }))).toThrow(/field_info "\{/);
  });

  it('re-renders a stored filter, and refuses one that breaks out of its parentheses', () => {
    expect(checkStoredMapping(stored([], "name='x'  or Industry != null")).rowFilter).toBe("name = 'x' OR Industry != NULL");
    expect(() => checkStoredMapping(stored([], "Name = 'a') OR (Id != null"))).toThrow(
      /stored row_filter \(is not a SOQL WHERE expression.*\) "Name = 'a'\) OR/,
    );
    // The parser's own words may hold a ';': the reason is quoted whole, not cut there.
    expect(() => checkStoredMapping(stored([], "Name = 'x'; DROP"))).toThrow(
      /stored row_filter \(is not a SOQL WHERE expression \(Redundant input, expecting EOF but found: ;\)\) "Name = 'x'; DROP"/,
    );
  });
});

describe('parseRowFilter', () => {
  it.each([
    ["Industry = 'Tech' AND (Name LIKE 'A%' OR Name = 'B')", "Industry = 'Tech' AND (Name LIKE 'A%' OR Name = 'B')"],
    ["NOT Name = 'x'", "NOT Name = 'x'"],
    ["Owner.Name = 'Ann'", "Owner.Name = 'Ann'"],
    ['CALENDAR_YEAR(CreatedDate) = 2024', 'CALENDAR_YEAR(CreatedDate) = 2024'],
    ['CreatedDate = LAST_N_DAYS:30', 'CreatedDate = LAST_N_DAYS:30'],
    ["Industry IN ('A','B')", "Industry IN ('A', 'B')"],
    ["Name = 'O\\'Brien'", "Name = 'O\\'Brien'"],
  ])('keeps %s as %s, its fields known to describe', (text, soql) => {
    expect(parseRowFilter(text, 'Account', account).soql).toBe(soql);
  });

  it.each([
    ['CALENDAR_YEAR(Nope__c) = 2024', /reads Nope__c, which Account does not have/],
    ["Industry = 'x' GROUP BY Industry", /carries a groupBy clause/],
    ["Industry = 'x' LIMIT 5 OFFSET 5", /carries a limit, offset clause/],
    ["Industry = 'x' FOR UPDATE", /carries a for clause/],
    ['Id IN (SELECT AccountId FROM Contact)', /contains a sub-query/],
  ])('refuses %s', (text, message) => {
    expect(() => parseRowFilter(text, 'Account', account)).toThrow(message);
  });
});
