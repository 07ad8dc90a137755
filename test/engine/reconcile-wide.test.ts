/**
 * The reconcile re-reads missing and stale records by Id through REST query,
 * a GET whose URI carries the SOQL. Salesforce refuses URIs over 16,384 bytes
 * (414; the emulator too): 300 Ids (~9,000 bytes encoded) beside a wide
 * object's field list passed it, and the reconcile failed on every run. The
 * re-read is now split by the encoded length (salesforce/query-chunks.ts).
 * A mapping whose field list alone cannot fit is refused when planned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedRecords } from 'salesforce-emulator';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, waitLoaded } from './inbound-helpers.js';

/** 240 fields of 36 characters: ~10,000 bytes of encoded field list, which fits a poll's query alone but not with 300 Ids (~9,000 more). */
const FIELDS = Array.from({ length: 240 }, (_, i) => `Field_${String(i).padStart(3, '0')}_with_a_rather_long_name__c`);
const RECORDS = 300;
/** 420 such fields: ~17,600 bytes of field list, which no query URI can carry. */
const TOO_MANY = Array.from({ length: 420 }, (_, i) => `Field_${String(i).padStart(3, '0')}_with_a_rather_long_name__c`);

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: {
      schema: {
        objects: [
          { name: 'Wide__c', fields: FIELDS.map((name) => ({ name, type: 'string' as const, length: 40 })) },
          { name: 'Wider__c', fields: TOO_MANY.map((name) => ({ name, type: 'string' as const, length: 40 })) },
        ],
      },
    },
  });
  seedRecords(h.emulator.org, 'Wide__c', RECORDS, { template: { [FIELDS[0]!]: 'value {n}' } });
  mappingId = await mapObject(h, { sobject: 'Wide__c', fields: ['Name', ...FIELDS], mode: 'read_only', pollInterval: '1 hour', driftDelay: '1 hour' });
  await h.startEngine();
  await waitLoaded(h, mappingId, 60_000);
  // The poll after the load re-reads the records stamped in its last second (all of them here): it must not undo the
  // staling below. It has run once the mapping's next interval poll waits an hour out (it may record no window).
  await waitFor(
    async () =>
      (
        await h.pool.query(
          `select 1 from graphile_worker.jobs j
            where j.key = 'sfsync:poll:' || $1::text and j.locked_at is null and j.run_at > now() + interval '10 minutes'
              and not exists (select 1 from sfsync.poll_windows w where w.mapping_id = $1::bigint and w.outcome = 'running')`,
          [mappingId],
        )
      ).rowCount! > 0,
    { timeoutMs: 30_000, what: 'the first poll after the load' },
  );
}, 90_000);
afterAll(async () => {
  await h?.stop();
});

it('re-reads 300 stale records of a wide object without passing the URI limit', async () => {
  const column = FIELDS[0]!.toLowerCase();
  // Stale rows, synced long ago with another value: the reconcile re-reads every one by Id.
  await h.pool.query("select set_config('sfsync.origin', 'salesforce', false)");
  const staled = await h.pool.query(`update salesforce.wide__c set ${column} = 'stale', systemmodstamp = systemmodstamp - interval '1 day'`);
  expect(staled.rowCount).toBe(RECORDS);

  await h.pool.query('select sfsync.request_reconcile($1)', [mappingId]);
  const window = await waitFor(
    async () =>
      (
        await h.pool.query<{ outcome: string; error: unknown; records_applied: number; api_calls: number }>(
          "select outcome, error, records_applied, api_calls from sfsync.poll_windows where mapping_id = $1 and kind = 'reconcile' and outcome <> 'running'",
          [mappingId],
        )
      ).rows[0],
    { timeoutMs: 30_000, what: 'the reconcile to finish' },
  );
  expect(window.error).toBeNull();
  expect(window.outcome).toBe('succeeded');
  // Every record re-read: more than one query, as one with 300 Ids would be too long.
  expect(window.records_applied).toBe(RECORDS);
  expect(window.api_calls).toBeGreaterThanOrEqual(3);
  const { rows } = await h.pool.query<{ stale: number; restored: number }>(
    `select count(*) filter (where ${column} = 'stale')::int as stale, count(*) filter (where ${column} like 'value %')::int as restored from salesforce.wide__c`,
  );
  expect(rows[0]).toEqual({ stale: 0, restored: RECORDS });
}, 60_000);

it('refuses, when planned, a mapping whose field list alone cannot fit a query URI, and creates nothing', async () => {
  const error = await mapObject(h, { sobject: 'Wider__c', fields: ['Name', ...TOO_MANY], mode: 'read_only' }).catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(/^The Wider__c mapping's poll query would take [\d,]+ bytes of URI with 421 fields, .*; map fewer fields\.$/);
  const { rows } = await h.pool.query(
    "select to_regclass('salesforce.wider__c') as t, (select count(*)::int from sfsync.mappings where sobject = 'Wider__c') as n",
  );
  expect(rows[0]).toEqual({ t: null, n: 0 });
});
