/**
 * A row the write path pushes while a reconcile's Bulk download runs is not
 * in its snapshot and has an sfid but no SystemModstamp yet: the extra-row
 * removal must keep it. Polls are hourly here, so nothing stamps the row first.
 * The same row, once its record is hard-deleted, is extra for a later
 * reconcile (its push predates that snapshot), so it does not stay forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { pushDuringDownload, startPushedRowHarness } from './pushed-during-download.js';

let h: SyncHarness;
let mappingId: string;
/** The row pushed during the first reconcile (local id, sfid). */
let pushedRow: { id: string; sfid: string } | undefined;

beforeAll(async () => {
  ({ h, mappingId } = await startPushedRowHarness());
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('reconcile with a push during the download', () => {
  it('does not take a row pushed after the snapshot for an extra row', async () => {
    pushedRow = await pushDuringDownload(h, mappingId, 'reconcile');
  }, 45_000);

  it('removes that row once its record is hard-deleted (pushed before the snapshot, still unstamped)', async () => {
    const row = pushedRow;
    if (!row) throw new Error('needs the row of the previous test');
    await fetch(`${h.emulator.url}/__emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bulkJobDelayMs: 0 }),
    });
    h.emulator.org.write([{ kind: 'hardDelete', id: row.sfid }], { allOrNone: true }, h.emulator.org.systemContext());
    expect((await h.pool.query('select systemmodstamp from salesforce.account where id = $1', [row.id])).rows[0]?.systemmodstamp).toBeNull();
    await h.pool.query('select sfsync.request_reconcile($1)', [mappingId]);
    await waitFor(
      async () =>
        (await h.pool.query("select 1 from sfsync.poll_windows where mapping_id = $1 and kind = 'reconcile' and outcome = 'succeeded'", [mappingId]))
          .rowCount === 2,
      { timeoutMs: 15_000, what: 'the second reconcile' },
    );
    expect((await h.pool.query('select 1 from salesforce.account where id = $1', [row.id])).rowCount).toBe(0);
  }, 20_000);
});
