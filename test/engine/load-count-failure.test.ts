/**
 * The initial load's COUNT() (progress: records_expected) runs beside the Bulk
 * job. Its failure must still fail the load, and the load's one transaction
 * must leave nothing behind: no rows, no watermark.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedRecords } from 'salesforce-emulator';
import { loadInboundMapping } from '../../src/inbound/inbound-mapping.js';
import { loadTable } from '../../src/inbound/load-table.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { mapObject } from './inbound-helpers.js';

let h: SyncHarness;

beforeAll(async () => {
  h = await startSyncHarness();
});
afterAll(async () => {
  await h?.stop();
});

it('fails the load when its COUNT() fails, and commits nothing', async () => {
  seedRecords(h.emulator.org, 'Account', 300);
  const mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name'], mode: 'read_only' });
  const mapping = await loadInboundMapping(h.pool, mappingId);
  const sf = await h.salesforce();
  // The count is the load's one REST query (queryAll: deleted records count too); the Bulk job is under /jobs.
  h.emulator.org.setControls({ faults: [{ kind: 'REQUEST_LIMIT_EXCEEDED', method: 'GET', pathPrefix: '/services/data/v59.0/queryAll', count: 1 }] });
  const error = await loadTable(h.pool, sf, mapping, { upperLagMs: 0, maxRecords: 100 }).catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  expect(String((error as Error).message)).toMatch(/REQUEST_LIMIT_EXCEEDED|TotalRequests Limit exceeded/);
  const { rows } = await h.pool.query<{ n: number; watermark: Date | null }>(
    'select (select count(*)::int from salesforce.account) as n, (select watermark from sfsync.mappings where id = $1) as watermark',
    [mappingId],
  );
  expect(rows[0]).toEqual({ n: 0, watermark: null });

  // With the fault spent, the same load goes through.
  const loaded = await loadTable(h.pool, sf, mapping, { upperLagMs: 0, maxRecords: 100 });
  expect(loaded).toMatchObject({ seen: 300, applied: 300, expected: 300 });
}, 60_000);
