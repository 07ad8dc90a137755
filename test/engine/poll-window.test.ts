/**
 * Primary polls end to end: initial load, then changes arrive through windows
 * recorded in sfsync.poll_windows, the watermark advances, deletes and
 * undeletes apply, echoes are no-ops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecords } from 'salesforce-emulator';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness();
  seedRecords(h.emulator.org, 'Account', 300);
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Industry', 'AnnualRevenue', 'NumberOfEmployees'] });
  await h.startEngine();
  await waitLoaded(h, mappingId);
});
afterAll(async () => {
  await h?.stop();
});

describe('primary polls', () => {
  it('loads every record', async () => {
    const { rows } = await h.pool.query<{ n: string }>('select count(*) as n from salesforce.account');
    expect(Number(rows[0]?.n)).toBe(300);
    const { rows: windows } = await h.pool.query("select * from sfsync.poll_windows where kind = 'reload'");
    expect(windows[0]).toMatchObject({ outcome: 'succeeded', records_seen: 300, records_applied: 300, api: 'bulk' });
  });

  it('applies an update through a recorded window and advances the watermark', async () => {
    const conn = await sfConnection(h);
    const [first] = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records;
    const id = first!.Id;
    await conn.sobject('Account').update({ Id: id, Name: 'Renamed "quoted"\nline', NumberOfEmployees: 42 });
    const row = await waitFor(
      async () => {
        const r = await rowOf(h, 'account', id);
        return r?.['name'] === 'Renamed "quoted"\nline' ? r : undefined;
      },
      { timeoutMs: 10_000, what: 'the update to arrive' },
    );
    expect(row['numberofemployees']).toBe(42);
    expect(row['_sfsync_state']).toBe('synced');
    // The page commits before its window is marked succeeded: wait for the window too.
    await waitFor(
      async () => {
        const { rows } = await h.pool.query(
          "select coalesce(sum(records_applied), 0)::int as applied from sfsync.poll_windows where kind = 'primary' and outcome = 'succeeded'",
        );
        return rows[0].applied >= 1;
      },
      { what: 'a succeeded primary window that applied the update' },
    );
    const { rows: m } = await h.pool.query('select watermark from sfsync.mappings where id = $1', [mappingId]);
    expect(m[0].watermark.getTime()).toBeGreaterThan(Date.now() - 10_000);
  });

  it('deletes and brings back undeleted records', async () => {
    const conn = await sfConnection(h);
    const created = (await conn.sobject('Account').create({ Name: 'To delete' })) as { id: string };
    await waitFor(() => rowOf(h, 'account', created.id), { what: 'the insert' });
    await conn.sobject('Account').destroy(created.id);
    await waitFor(async () => (await rowOf(h, 'account', created.id)) === undefined, { what: 'the delete' });
    // REST has no undelete (SOAP/Apex only); the emulator's org does it directly.
    h.emulator.org.write([{ kind: 'undelete', id: created.id }], { allOrNone: true }, h.emulator.org.systemContext());
    await waitFor(() => rowOf(h, 'account', created.id), { what: 'the undelete' });
  });
});
