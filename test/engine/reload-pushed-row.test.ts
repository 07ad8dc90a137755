/**
 * A row the write path pushes while a reload's Bulk download runs is not in
 * the load's snapshot (the Bulk job predates the record) and has an sfid but
 * no SystemModstamp yet (no poll has read it back): the merge must keep it,
 * not take it for a record deleted in Salesforce. Polls are hourly here, so
 * nothing stamps the row before the merge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecords } from '../../src/emulator/org/seed.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, sfConnection, waitLoaded } from './inbound-helpers.js';

/** How long the reload's Bulk job stays InProgress: room for one push round (milliseconds here). */
const BULK_DELAY_MS = 4000;
let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness();
  seedRecords(h.emulator.org, 'Account', 50);
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name'], mode: 'read_write', pollInterval: '1 hour' });
  await h.startEngine();
  await waitLoaded(h, mappingId);
  await waitFor(async () => (await h.pool.query("select 1 from graphile_worker.jobs where task_identifier = 'sfsync:reload'")).rowCount === 0, { timeoutMs: 20_000, what: 'no reload queued' });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

const reloadRunning = async () => (await h.pool.query("select 1 from sfsync.poll_windows where mapping_id = $1 and kind = 'reload' and outcome = 'running'", [mappingId])).rowCount === 1;

describe('reload with a push during the download', () => {
  it('keeps a row pushed after the snapshot (sfid written back, no SystemModstamp yet)', async () => {
    const conn = await sfConnection(h);
    const put = await fetch(`${h.emulator.url}/__emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bulkJobDelayMs: BULK_DELAY_MS }) });
    expect(put.ok).toBe(true);
    await h.pool.query('select sfsync.request_reload($1)', [mappingId]);
    await waitFor(async () => {
      const jobs = (await conn.request<{ records: Array<{ state: string }> }>('/services/data/v59.0/jobs/query')).records;
      return jobs.some((j) => j.state === 'InProgress' || j.state === 'UploadComplete');
    }, { timeoutMs: 10_000, what: 'the reload Bulk job' });

    const { rows } = await h.pool.query<{ id: string }>("insert into salesforce.account (name) values ('Pushed during the reload') returning id");
    const id = rows[0]!.id;
    const pushed = await waitFor(async () => (await h.pool.query<{ sfid: string | null; systemmodstamp: Date | null }>('select sfid, systemmodstamp from salesforce.account where id = $1 and sfid is not null', [id])).rows[0], { timeoutMs: 5000, what: 'the push to write the sfid back' });
    // The case under test: written back while the download still runs, not yet stamped by a poll.
    expect(pushed.systemmodstamp).toBeNull();
    expect(await reloadRunning()).toBe(true);

    await waitFor(async () => !(await reloadRunning()), { timeoutMs: 30_000, what: 'the reload to finish' });
    const last = await h.pool.query("select outcome from sfsync.poll_windows where mapping_id = $1 and kind = 'reload' order by id desc limit 1", [mappingId]);
    expect(last.rows[0]?.outcome).toBe('succeeded');
    const after = await h.pool.query('select sfid from salesforce.account where id = $1', [id]);
    expect(after.rows[0]?.sfid).toBe(pushed.sfid);
    const inSalesforce = (await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Name = 'Pushed during the reload'")).records;
    expect(inSalesforce.map((r) => r.Id)).toEqual([pushed.sfid]);
  }, 45_000);
});
