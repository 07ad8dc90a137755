/**
 * A long window with many changes is counted first and read through Bulk 2.0;
 * a failed window is recorded, retried, and the watermark never passes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecords } from 'salesforce-emulator';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness({ config: { poll: { bulkThreshold: 50 } } });
  seedRecords(h.emulator.org, 'Account', 20);
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Industry'] });
  await h.startEngine();
  await waitLoaded(h, mappingId);
});
afterAll(async () => {
  await h?.stop();
});

describe('primary windows', () => {
  it('uses Bulk 2.0 for a long window above the threshold', async () => {
    // As if the engine had been down for an hour while 100 records changed.
    await h.pool.query("update sfsync.mappings set watermark = watermark - interval '1 hour' where id = $1", [mappingId]);
    seedRecords(h.emulator.org, 'Account', 100, { template: { Name: 'Bulk window {n}' } });
    const window = await waitFor(
      async () => {
        const { rows } = await h.pool.query(
          "select * from sfsync.poll_windows where mapping_id = $1 and kind = 'primary' and api = 'bulk' and outcome = 'succeeded'",
          [mappingId],
        );
        return rows[0];
      },
      { timeoutMs: 15_000, what: 'a Bulk primary window' },
    );
    expect(window.records_seen).toBeGreaterThanOrEqual(100);
    const { rows } = await h.pool.query("select count(*)::int as n from salesforce.account where name like 'Bulk window %'");
    expect(rows[0].n).toBe(100);
  });

  it('records a failed window, retries it and never moves the watermark past it', async () => {
    // One query fails with a non-retried error (jsforce retries 5xx on GET itself).
    h.emulator.org.setControls({ faults: [{ kind: 'REQUEST_LIMIT_EXCEEDED', pathPrefix: '/services/data/v59.0/queryAll', count: 1 }] });
    const failed = await waitFor(
      async () => {
        const { rows } = await h.pool.query("select * from sfsync.poll_windows where mapping_id = $1 and kind = 'primary' and outcome = 'failed'", [mappingId]);
        return rows[0];
      },
      { timeoutMs: 15_000, what: 'a failed window' },
    );
    expect(failed.error).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED' });
    await waitFor(
      async () => {
        const { rows } = await h.pool.query(
          "select 1 from sfsync.poll_windows where mapping_id = $1 and kind = 'primary' and outcome = 'succeeded' and lower = $2",
          [mappingId, failed.lower],
        );
        return rows.length === 1;
      },
      { timeoutMs: 15_000, what: 'the same window polled again successfully' },
    );
    // No succeeded window starts after the failed one's lower unless one covering it succeeded first.
    const { rows } = await h.pool.query(
      "select count(*)::int as n from sfsync.poll_windows w where w.mapping_id = $1 and w.kind = 'primary' and w.outcome = 'succeeded' and w.lower > $2 and w.started_at < (select min(started_at) from sfsync.poll_windows s where s.mapping_id = $1 and s.kind = 'primary' and s.outcome = 'succeeded' and s.lower = $2)",
      [mappingId, failed.lower],
    );
    expect(rows[0].n).toBe(0);
  });
});
