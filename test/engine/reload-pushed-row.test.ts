/**
 * A row the write path pushes while a reload's Bulk download runs is not in
 * the load's snapshot (the Bulk job predates the record) and has an sfid but
 * no SystemModstamp yet (no poll has read it back): the merge must keep it,
 * not take it for a record deleted in Salesforce. Polls are hourly here, so
 * nothing stamps the row before the merge.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { SyncHarness } from '../support/sync-harness.js';
import { pushDuringDownload, startPushedRowHarness } from './pushed-during-download.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  ({ h, mappingId } = await startPushedRowHarness());
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('reload with a push during the download', () => {
  it('keeps a row pushed after the snapshot (sfid written back, no SystemModstamp yet)', async () => {
    await pushDuringDownload(h, mappingId, 'reload');
  }, 45_000);
});
