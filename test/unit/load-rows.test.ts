/** A Bulk CSV page → the initial load's COPY text (pure): every row, every value, and the chunking. */
import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../src/mapping/field-info.js';
import { CHUNK_ROWS, copyChunks, type CopyChunk, type LoadRowsMapping } from '../../src/inbound/load-rows.js';
import { fieldInfo } from '../support/field-info.js';

const field = (name: string, pgType: string, extra: Partial<FieldInfo> = {}): FieldInfo => fieldInfo(name, { pgType, ...extra });

const FIELDS = [
  field('Name', 'varchar(10)'),
  field('Amount__c', 'numeric(5,2)'),
  field('Count__c', 'integer'),
  field('Active__c', 'boolean'),
  field('Due__c', 'date'),
  field('Gone__c', 'text', { removed: true }),
];
const HEADER = '"Id","SystemModstamp","IsDeleted","CreatedDate","Name","Amount__c","Count__c","Active__c","Due__c"';
const STAMP = '2024-01-02T03:04:05.000Z';

async function collect(mapping: LoadRowsMapping, csv: string, backfill = false, fields = FIELDS): Promise<CopyChunk[]> {
  const chunks: CopyChunk[] = [];
  for await (const chunk of copyChunks(mapping, csv, fields, backfill)) chunks.push(chunk);
  return chunks;
}
const text = (chunks: CopyChunk[]) => Buffer.concat(chunks.map((c) => c.chunk)).toString('utf8');

describe('copyChunks', () => {
  it('writes each row in COPY column order, escaped, with nulls and the row state', async () => {
    const csv = [
      HEADER,
      `"001A","${STAMP}","false","${STAMP}","a\tb\\c","12.50","7","true","2024-02-29"`,
      `"001B","${STAMP}","false","${STAMP}",,,,,`,
      `"001C","${STAMP}","false","${STAMP}","l1\nl2 ""q""","1","2","false","2024-03-01"`,
    ].join('\n');
    const chunks = await collect({ fields: FIELDS, deleteMode: 'soft' }, csv);
    const stamp = '2024-01-02 03:04:05.000';
    expect(text(chunks)).toBe(
      [
        `001A\ta\\tb\\\\c\t12.50\t7\ttrue\t2024-02-29\t${stamp}\tfalse\t${stamp}\tsynced\t\\N`,
        `001B\t\\N\t\\N\t\\N\t\\N\t\\N\t${stamp}\tfalse\t${stamp}\tsynced\t\\N`,
        `001C\tl1\\nl2 "q"\t1\t2\tfalse\t2024-03-01\t${stamp}\tfalse\t${stamp}\tsynced\t\\N`,
        '',
      ].join('\n'),
    );
    expect(chunks.map(({ seen, rows, failed }) => ({ seen, rows, failed }))).toEqual([{ seen: 3, rows: 3, failed: 0 }]);
  });

  it('stores a row whose value does not fit as failed, naming every field, and keeps the others', async () => {
    const csv = [HEADER, `"001A","${STAMP}","false","${STAMP}","much too long","1234.5","x","maybe","2023-02-30"`].join('\n');
    const chunks = await collect({ fields: FIELDS, deleteMode: 'soft' }, csv);
    const columns = text(chunks).slice(0, -1).split('\t');
    expect(columns.slice(0, 6)).toEqual(['001A', '\\N', '\\N', '\\N', '\\N', '\\N']);
    expect(columns[9]).toBe('failed');
    const error = JSON.parse(columns[10]!) as { code: string; fields: string[]; source: string };
    expect(error).toMatchObject({ code: 'STRING_TOO_LONG', fields: ['Name', 'Amount__c', 'Count__c', 'Active__c', 'Due__c'], source: 'salesforce' });
    expect(chunks[0]).toMatchObject({ seen: 1, rows: 1, failed: 1 });
  });

  it('leaves deleted records out when the mapping deletes rows, and keeps them flagged otherwise', async () => {
    const csv = [HEADER, `"001A","${STAMP}","true","${STAMP}","x",,,,`, `"001B","${STAMP}","false","${STAMP}","y",,,,`].join('\n');
    const deleting = await collect({ fields: FIELDS, deleteMode: 'delete' }, csv);
    expect(deleting[0]).toMatchObject({ seen: 2, rows: 1 });
    expect(text(deleting)).toMatch(/^001B\t/);
    const soft = await collect({ fields: FIELDS, deleteMode: 'soft' }, csv);
    expect(soft[0]).toMatchObject({ seen: 2, rows: 2 });
    expect(text(soft).split('\n')[0]!.split('\t')[7]).toBe('true');
  });

  it('writes only the backfilled fields and SystemModstamp for a backfill', async () => {
    const csv = ['"Id","Count__c","SystemModstamp"', `"001A","3","${STAMP}"`].join('\r\n');
    const chunks = await collect({ fields: FIELDS, deleteMode: 'delete' }, csv, true, [FIELDS[2]!]);
    expect(text(chunks)).toBe('001A\t3\t2024-01-02 03:04:05.000\n');
  });

  it(`splits a page into chunks of ${CHUNK_ROWS} rows, in order, none lost`, async () => {
    const total = CHUNK_ROWS * 2 + 7;
    const lines = [HEADER];
    for (let i = 0; i < total; i++) lines.push(`"${String(i).padStart(18, '0')}","${STAMP}","false","${STAMP}","n${i}",,"${i}",,`);
    const chunks = await collect({ fields: FIELDS, deleteMode: 'soft' }, `${lines.join('\n')}\n`);
    expect(chunks.map((c) => c.seen)).toEqual([CHUNK_ROWS, CHUNK_ROWS, 7]);
    const ids = text(chunks)
      .trimEnd()
      .split('\n')
      .map((line) => Number(line.split('\t')[0]));
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('yields nothing for a page with only its header', async () => {
    expect(await collect({ fields: FIELDS, deleteMode: 'soft' }, `${HEADER}\n`)).toEqual([]);
  });
});
