/**
 * Every field type round-trips exactly through the Bulk load (CSV) and the
 * REST poll (JSON); a value that does not fit its column fails only its row;
 * a mapping of an empty object loads and polls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

const FIELDS = [
  { name: 'Text__c', type: 'string', length: 255 },
  { name: 'Area__c', type: 'textarea', length: 32000 },
  { name: 'Pick__c', type: 'picklist', picklist: ['A', 'B', 'C'] },
  { name: 'Multi__c', type: 'multipicklist', picklist: ['A', 'B', 'C'] },
  { name: 'Flag__c', type: 'boolean' },
  { name: 'Count__c', type: 'int' },
  { name: 'Big__c', type: 'long' },
  { name: 'Amount__c', type: 'currency', precision: 18, scale: 2 },
  { name: 'Ratio__c', type: 'percent', precision: 5, scale: 2 },
  { name: 'Dbl__c', type: 'double', precision: 18, scale: 10 },
  { name: 'Day__c', type: 'date' },
  { name: 'At__c', type: 'datetime' },
  { name: 'Clock__c', type: 'time' },
  { name: 'Site__c', type: 'url' },
  { name: 'Mail__c', type: 'email' },
  { name: 'Tel__c', type: 'phone' },
  { name: 'Code__c', type: 'string', length: 20 },
] as const;

const VALUES = {
  Name: 'Gadget',
  Text__c: 'He said "hi", it\'s, ok\nline2\ttab \\ back — ünïcødé 日本',
  Area__c: 'long\r\ntext '.repeat(500),
  Pick__c: 'B',
  Multi__c: 'A;C',
  Flag__c: true,
  Count__c: -123456789,
  Big__c: 9007199254740991,
  Amount__c: 1234567.89,
  Ratio__c: 12.5,
  Dbl__c: 1234567.0000000002,
  Day__c: '2024-02-29',
  At__c: '2024-02-29T23:59:59.123Z',
  Clock__c: '13:14:15.678Z',
  Site__c: 'https://example.com/a?b=c&d="e"',
  Mail__c: "o'brien@example.com",
  Tel__c: '+33 1 23 45 67 89',
  Code__c: 'C-1',
};

let h: SyncHarness;
let gadget: string;
let beforeId: string;

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: {
      schema: {
        objects: [
          { name: 'Gadget__c', fields: FIELDS.map((f) => ({ ...f, picklist: 'picklist' in f ? [...f.picklist] : undefined })) },
          { name: 'Empty__c', fields: [{ name: 'Note__c', type: 'string', length: 40 }] },
        ],
      },
    },
  });
  const conn = await sfConnection(h);
  beforeId = ((await conn.sobject('Gadget__c').create(VALUES)) as { id: string }).id;
  await conn.sobject('Gadget__c').create({ ...VALUES, Name: 'Nulls', Text__c: null, Flag__c: false, Count__c: null, At__c: null, Multi__c: null });
  gadget = await mapObject(h, { sobject: 'Gadget__c', fields: ['Name', ...FIELDS.map((f) => f.name)] });
  await h.startEngine();
  await waitLoaded(h, gadget);
});
afterAll(async () => {
  await h?.stop();
});

function expectExact(row: Record<string, unknown> | undefined): void {
  expect(row).toBeDefined();
  const r = row!;
  expect(r['text__c']).toBe(VALUES.Text__c);
  expect(r['area__c']).toBe(VALUES.Area__c);
  expect(r['pick__c']).toBe('B');
  expect(r['multi__c']).toBe('A;C');
  expect(r['flag__c']).toBe(true);
  expect(r['count__c']).toBe(-123456789);
  expect(String(r['big__c'])).toBe('9007199254740991');
  expect(r['amount__c']).toBe(1234567.89);
  expect(r['ratio__c']).toBe(12.5);
  expect(r['dbl__c']).toBe(1234567.0000000002);
  expect(r['site__c']).toBe(VALUES.Site__c);
  expect(r['mail__c']).toBe(VALUES.Mail__c);
  expect(r['tel__c']).toBe(VALUES.Tel__c);
  expect(r['_sfsync_state']).toBe('synced');
}

async function textOf(sfid: string): Promise<Record<string, string>> {
  const { rows } = await h.pool.query('select day__c::text as day, at__c::text as at, clock__c::text as clock from salesforce.gadget__c where sfid = $1', [
    sfid,
  ]);
  return rows[0];
}

describe('types', () => {
  it('round-trips every type through the Bulk load', async () => {
    expectExact(await rowOf(h, 'gadget__c', beforeId));
    expect(await textOf(beforeId)).toEqual({ day: '2024-02-29', at: '2024-02-29 23:59:59.123', clock: '13:14:15.678' });
    const { rows } = await h.pool.query("select text__c, flag__c, count__c, at__c, multi__c from salesforce.gadget__c where name = 'Nulls'");
    expect(rows[0]).toEqual({ text__c: null, flag__c: false, count__c: null, at__c: null, multi__c: null });
  });

  it('round-trips every type through a REST poll', async () => {
    const conn = await sfConnection(h);
    const id = ((await conn.sobject('Gadget__c').create(VALUES)) as { id: string }).id;
    const row = await waitFor(() => rowOf(h, 'gadget__c', id), { what: 'the polled record' });
    expectExact(row);
    expect(await textOf(id)).toEqual({ day: '2024-02-29', at: '2024-02-29 23:59:59.123', clock: '13:14:15.678' });
  });

  it('fails only the row whose value does not fit its column', async () => {
    // As if the field had been 5 long when the table was made, and widened in Salesforce since.
    await h.pool.query('alter table salesforce.gadget__c alter column code__c type varchar(5)');
    await h.pool.query(
      `update sfsync.mappings set field_info = (select jsonb_agg(case when f->>'name' = 'Code__c' then f || '{"pgType":"varchar(5)","length":5}' else f end) from jsonb_array_elements(field_info) f) where id = $1`,
      [gadget],
    );
    const conn = await sfConnection(h);
    const bad = ((await conn.sobject('Gadget__c').create({ ...VALUES, Name: 'Bad', Code__c: 'WAY-TOO-LONG' })) as { id: string }).id;
    const good = ((await conn.sobject('Gadget__c').create({ ...VALUES, Name: 'Good', Code__c: 'OK' })) as { id: string }).id;
    const goodRow = await waitFor(() => rowOf(h, 'gadget__c', good), { what: 'the good row' });
    expect(goodRow['code__c']).toBe('OK');
    const badRow = await waitFor(() => rowOf(h, 'gadget__c', bad), { what: 'the bad row' });
    expect(badRow['_sfsync_state']).toBe('failed');
    expect(badRow['_sfsync_error']).toMatchObject({ code: 'STRING_TOO_LONG', fields: ['Code__c'] });
    expect(badRow['code__c']).toBeNull();
    expect(badRow['name']).toBe('Bad');
    // The window records its count when it finishes, just after the page that applied the row.
    const failedInWindows = async () =>
      (
        await h.pool.query("select coalesce(sum(records_failed), 0)::int as failed from sfsync.poll_windows where mapping_id = $1 and kind = 'primary'", [
          gadget,
        ])
      ).rows[0].failed as number;
    await waitFor(async () => (await failedInWindows()) >= 1, { what: 'a poll window counting the failed record' });
  });

  it('keeps polling when a mapped field is deleted in Salesforce (column kept, warning recorded)', async () => {
    // The emulator has no API to delete a field; drop it from its schema maps directly.
    const schema = h.emulator.org.schema as unknown as { objects: Map<string, { def: { fields: Array<{ name: string }> }; fields: Map<string, unknown> }> };
    const entry = schema.objects.get('gadget__c')!;
    entry.fields.delete('tel__c');
    entry.def.fields = entry.def.fields.filter((f) => f.name !== 'Tel__c');
    const conn = await sfConnection(h);
    const { Tel__c: _dropped, ...values } = VALUES;
    const id = ((await conn.sobject('Gadget__c').create({ ...values, Name: 'After removal' })) as { id: string }).id;
    const row = await waitFor(() => rowOf(h, 'gadget__c', id), { what: 'a record polled after the field was removed' });
    expect(row['tel__c']).toBeNull();
    const { rows } = await h.pool.query(
      "select last_error, (select f->>'removed' from jsonb_array_elements(field_info) f where f->>'name' = 'Tel__c') as removed from sfsync.mappings where id = $1",
      [gadget],
    );
    expect(rows[0]).toMatchObject({ removed: 'true', last_error: { code: 'FIELD_REMOVED' } });
  });

  it('maps an empty object', async () => {
    const empty = await mapObject(h, { sobject: 'Empty__c', fields: ['Note__c'] });
    await waitLoaded(h, empty);
    const { rows } = await h.pool.query('select count(*)::int as n from salesforce.empty__c');
    expect(rows[0].n).toBe(0);
    const conn = await sfConnection(h);
    const id = ((await conn.sobject('Empty__c').create({ Note__c: 'first' })) as { id: string }).id;
    await waitFor(() => rowOf(h, 'empty__c', id), { what: 'the first record of the empty object' });
  });
});
