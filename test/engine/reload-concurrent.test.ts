/**
 * A reload's Bulk download holds no apply lock and runs outside the poll
 * queue: while the emulator keeps the Bulk job InProgress (bulkJobDelayMs),
 * the mapping's interval polls keep applying changes, and the final merge
 * neither overwrites the newer rows they applied with older snapshot data
 * (systemmodstamp compared) nor drops a record created after the snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecords } from 'salesforce-emulator';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, rowsBySfid, sfConnection, waitLoaded } from './inbound-helpers.js';

/** How long the reload's Bulk job stays InProgress: far longer than a poll (1 s interval). */
const BULK_DELAY_MS = 6000;
let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness();
  seedRecords(h.emulator.org, 'Account', 200);
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name'], pollInterval: '1 second' });
  await h.startEngine();
  await waitLoaded(h, mappingId);
  // A second initial-load job may be queued by the first poll; let it finish so the reload below is ours.
  await waitFor(async () => (await h.pool.query("select 1 from graphile_worker.jobs where task_identifier = 'sfsync:reload'")).rowCount === 0, {
    timeoutMs: 20_000,
    what: 'no reload queued',
  });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('reload concurrent with polls', () => {
  it('lets polls apply during the download and merges without losing their rows', async () => {
    const conn = await sfConnection(h);
    const [a, c, d] = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Id LIMIT 3')).records;
    // Gone before the reload: only the reload's merge removes it (polls never see hard deletes).
    h.emulator.org.write([{ kind: 'hardDelete', id: c!.Id }], { allOrNone: true }, h.emulator.org.systemContext());
    const put = await fetch(`${h.emulator.url}/__emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bulkJobDelayMs: BULK_DELAY_MS }),
    });
    expect(put.ok).toBe(true);
    await h.pool.query('select sfsync.request_reload($1)', [mappingId]);
    // The snapshot is taken when the Bulk job is created; change things after that.
    await waitFor(
      async () => {
        const jobs = (await conn.request<{ records: Array<{ state: string }> }>('/services/data/v59.0/jobs/query')).records;
        return jobs.some((j) => j.state === 'InProgress' || j.state === 'UploadComplete');
      },
      { timeoutMs: 10_000, what: 'the reload Bulk job' },
    );
    await conn.sobject('Account').update({ Id: a!.Id, Name: 'Newer than the snapshot' });
    const created = (await conn.sobject('Account').create({ Name: 'Created during the reload' })) as { id: string };
    await conn.sobject('Account').destroy(d!.Id);

    // Polls are not blocked: all three arrive while the reload is still downloading.
    await waitFor(
      async () =>
        (await rowOf(h, 'account', a!.Id))?.['name'] === 'Newer than the snapshot' &&
        (await rowOf(h, 'account', created.id)) !== undefined &&
        (await rowOf(h, 'account', d!.Id)) === undefined,
      { timeoutMs: 5000, what: 'polls applying during the reload' },
    );
    // From now on A must never go back to its snapshot value (the merge compares systemmodstamp;
    // without it the next poll would repair A, but readers would see the old value meanwhile).
    const names = new Set<unknown>();
    let reading = true;
    const reader = (async () => {
      while (reading) names.add((await rowOf(h, 'account', a!.Id))?.['name']);
    })();
    const { rows: running } = await h.pool.query("select 1 from sfsync.poll_windows where mapping_id = $1 and kind = 'reload' and outcome = 'running'", [
      mappingId,
    ]);
    expect(running.length).toBe(1);

    await waitFor(
      async () =>
        (await h.pool.query("select 1 from sfsync.poll_windows where mapping_id = $1 and kind = 'reload' and outcome = 'running'", [mappingId])).rowCount === 0,
      { timeoutMs: 30_000, what: 'the reload to finish' },
    );
    reading = false;
    await reader;
    expect([...names]).toEqual(['Newer than the snapshot']);
    const last = await h.pool.query("select outcome from sfsync.poll_windows where mapping_id = $1 and kind = 'reload' order by id desc limit 1", [mappingId]);
    expect(last.rows[0]?.outcome).toBe('succeeded');

    // Final table = Salesforce: newer row kept, new row kept, hard-deleted row gone; the
    // soft-deleted row (live in the snapshot) is gone again after the next poll at the latest.
    const expected = new Map((await conn.query<{ Id: string; Name: string }>('SELECT Id, Name FROM Account')).records.map((r) => [r.Id, r.Name]));
    await waitFor(
      async () => {
        const rows = await rowsBySfid(h, 'account', 'sfid, name');
        return rows.size === expected.size && [...expected].every(([id, name]) => rows.get(id)?.['name'] === name);
      },
      { timeoutMs: 5000, what: 'the table to equal Salesforce' },
    );
    expect(await rowOf(h, 'account', c!.Id)).toBeUndefined();
    expect((await rowOf(h, 'account', a!.Id))?.['name']).toBe('Newer than the snapshot');
  }, 50_000);
});
