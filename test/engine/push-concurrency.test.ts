/**
 * Parallel sObject Collections calls: 5,000 updated rows go out as 25
 * PATCH /composite/sobjects calls with config.push.concurrency 4 (the
 * default) and all arrive. Before the fix this hung every time with
 * concurrency ≥ 2.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  // Threshold above 5,000 so the batch goes through Collections, not Bulk.
  h = await startSyncHarness({ config: { push: { concurrency: 4, bulkThreshold: 10_000 } } });
  const sf = await h.salesforce();
  const plan = await withClient(h.pool, (c) =>
    applyMapping(c, sf, { connectionId: h.connectionId, sobject: 'Account', fields: ['Name', 'NumberOfEmployees'], mode: 'read_write', streaming: 'off' }),
  );
  mappingId = plan.mappingId;
});
afterAll(() => h?.stop());

it('5,000 updates with concurrency 4 complete through Collections', async () => {
  const org = h.emulator.org;
  const ops = Array.from({ length: 5000 }, (_, k) => ({ kind: 'create' as const, object: 'Account', values: { Name: `Row ${k}`, NumberOfEmployees: 0 } }));
  const ids = org.write(ops, { allOrNone: true }, org.systemContext()).map((r) => (r.success ? r.id : ''));
  await withClient(h.pool, async (c) => {
    await c.query('begin');
    await c.query(`set local sfsync.origin = 'salesforce'`);
    await c.query(
      `insert into salesforce.account (sfid, name, numberofemployees, _sfsync_state) select sfid, 'Row ' || (n - 1), 0, 'synced' from unnest($1::text[]) with ordinality as u(sfid, n)`,
      [ids],
    );
    await c.query('commit');
  });
  await h.startEngine();
  await h.pool.query('update salesforce.account set numberofemployees = 1');
  await waitFor(
    async () => Number((await h.pool.query(`select pending as count from sfsync.outbox_status where mapping_id = $1`, [mappingId])).rows[0].count) === 0,
    { what: '5,000 updates to drain', timeoutMs: 30_000 },
  );
  expect(org.list('Account').filter((r) => r.values.NumberOfEmployees === 1).length).toBe(5000);
});
