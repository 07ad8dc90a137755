/**
 * The scenario of the reload and reconcile "pushed row" tests: a read_write
 * mapping with hourly polls (so nothing stamps a row behind the test's back);
 * a reload or reconcile whose Bulk download is slowed by the emulator; a row
 * inserted locally and pushed while that download runs. Such a row is not in
 * the snapshot and has an sfid but no SystemModstamp yet; the merge must keep it.
 */
import { expect } from 'vitest';
import { seedRecords } from 'salesforce-emulator';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, sfConnection, waitLoaded } from './inbound-helpers.js';

/** How long the Bulk job stays InProgress: room for one push round (milliseconds here). */
const BULK_DELAY_MS = 4000;

/** A harness with 50 Accounts mapped read_write and loaded, no reload left queued. */
export async function startPushedRowHarness(): Promise<{ h: SyncHarness; mappingId: string }> {
  const h = await startSyncHarness();
  seedRecords(h.emulator.org, 'Account', 50);
  const mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name'], mode: 'read_write', pollInterval: '1 hour' });
  await h.startEngine();
  await waitLoaded(h, mappingId);
  await waitFor(async () => (await h.pool.query("select 1 from graphile_worker.jobs where task_identifier = 'sfsync:reload'")).rowCount === 0, {
    timeoutMs: 20_000,
    what: 'no reload queued',
  });
  return { h, mappingId };
}

/**
 * Run a `kind` pass with a row pushed during its download; asserts the pass
 * succeeded and the row kept its sfid, with exactly one Salesforce record.
 * Returns the row (local id, sfid).
 */
export async function pushDuringDownload(h: SyncHarness, mappingId: string, kind: 'reload' | 'reconcile'): Promise<{ id: string; sfid: string }> {
  const running = async () =>
    (await h.pool.query("select 1 from sfsync.poll_windows where mapping_id = $1 and kind = $2 and outcome = 'running'", [mappingId, kind])).rowCount === 1;
  const conn = await sfConnection(h);
  const put = await fetch(`${h.emulator.url}/__emulator/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bulkJobDelayMs: BULK_DELAY_MS }),
  });
  expect(put.ok).toBe(true);
  await h.pool.query(`select sfsync.request_${kind}($1)`, [mappingId]);
  await waitFor(
    async () => {
      const jobs = (await conn.request<{ records: Array<{ state: string }> }>('/services/data/v59.0/jobs/query')).records;
      return jobs.some((j) => j.state === 'InProgress' || j.state === 'UploadComplete');
    },
    { timeoutMs: 10_000, what: `the ${kind} Bulk job` },
  );

  const name = `Pushed during the ${kind}`;
  const { rows } = await h.pool.query<{ id: string }>('insert into salesforce.account (name) values ($1) returning id', [name]);
  const id = rows[0]!.id;
  const pushed = await waitFor(
    async () =>
      (
        await h.pool.query<{ sfid: string | null; systemmodstamp: Date | null }>(
          'select sfid, systemmodstamp from salesforce.account where id = $1 and sfid is not null',
          [id],
        )
      ).rows[0],
    { timeoutMs: 5000, what: 'the push to write the sfid back' },
  );
  // The case under test: written back while the download still runs, not yet stamped by a poll.
  expect(pushed.systemmodstamp).toBeNull();
  expect(await running()).toBe(true);

  await waitFor(async () => !(await running()), { timeoutMs: 30_000, what: `the ${kind} to finish` });
  const last = await h.pool.query('select outcome from sfsync.poll_windows where mapping_id = $1 and kind = $2 order by id desc limit 1', [mappingId, kind]);
  expect(last.rows[0]?.outcome).toBe('succeeded');
  const after = await h.pool.query('select sfid from salesforce.account where id = $1', [id]);
  expect(after.rows[0]?.sfid).toBe(pushed.sfid);
  const inSalesforce = (await conn.query<{ Id: string }>(`SELECT Id FROM Account WHERE Name = '${name}'`)).records;
  expect(inSalesforce.map((r) => r.Id)).toEqual([pushed.sfid]);
  return { id, sfid: String(pushed.sfid) };
}
