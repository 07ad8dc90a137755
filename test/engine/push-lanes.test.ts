/**
 * A backlog bigger than one claim (10,000 records) is pushed by two lanes at
 * once (src/tasks/push.ts): the second lane really claims while the first is
 * busy, and still every record arrives once with its last values.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness();
  const sf = await h.salesforce();
  const plan = await withClient(h.pool, (c) =>
    applyMapping(c, sf, { connectionId: h.connectionId, sobject: 'Account', fields: ['Name', 'Description'], mode: 'read_write', streaming: 'off' }),
  );
  mappingId = plan.mappingId;
  await h.startEngine();
});

afterAll(async () => {
  await h?.stop();
});

it('two lanes push a 25,000-record backlog: each record once, with its last values', async () => {
  const before = h.emulator.org.list('Account').length;
  const lanes = new Set<string>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const { rows } = await h.pool.query<{ by: string }>(`select distinct claimed_by as by from sfsync.outbox where mapping_id = $1 and state = 'claimed'`, [
        mappingId,
      ]);
      for (const { by } of rows) lanes.add(by.endsWith('/2') ? 'second' : 'first');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await h.pool.query(`insert into salesforce.account (name, description) select 'Lane ' || g, 'v1' from generate_series(1, 25000) g`);
    // Changes to records in flight wait for their insert (claim_outbox skips them), then follow it.
    await h.pool.query(`update salesforce.account set description = 'v2 ' || name where name like 'Lane %' and right(name, 1) = '7'`);
    await waitFor(
      async () =>
        (await h.pool.query(`select count(*)::int as n from sfsync.outbox where mapping_id = $1 and state in ('new', 'claimed')`, [mappingId])).rows[0].n === 0,
      { what: 'the backlog to drain', timeoutMs: 150_000 },
    );
  } finally {
    watching = false;
    await watch;
  }
  expect(lanes).toEqual(new Set(['first', 'second']));
  const accounts = h.emulator.org.list('Account').filter((r) => String(r.values.Name).startsWith('Lane '));
  expect(accounts.length).toBe(25000);
  expect(h.emulator.org.list('Account').length - before).toBe(25000);
  const wrong = accounts.filter((r) => r.values.Description !== (String(r.values.Name).endsWith('7') ? `v2 ${String(r.values.Name)}` : 'v1'));
  expect(wrong).toEqual([]);
  const { rows } = await h.pool.query(`select count(*)::int as n, count(distinct sfid)::int as d from salesforce.account where _sfsync_state = 'synced'`);
  expect(rows[0]).toEqual({ n: 25000, d: 25000 });
}, 180_000);
