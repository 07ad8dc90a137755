/**
 * Drift repair: a Salesforce transaction that commits late, with a
 * SystemModstamp earlier than windows already polled (the emulator's delayed
 * commit), is found by the secondary poll of its window and counted in
 * drift_fixed. Also: delete_mode 'mark' keeps deleted rows with isdeleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let contact: string;
let lead: string;

beforeAll(async () => {
  h = await startSyncHarness();
  contact = await mapObject(h, { sobject: 'Contact', fields: ['LastName', 'Email'], driftDelay: '8 seconds' });
  lead = await mapObject(h, { sobject: 'Lead', fields: ['LastName', 'Company'], deleteMode: 'mark' });
  await h.startEngine();
  await waitLoaded(h, contact);
  await waitLoaded(h, lead);
});
afterAll(async () => {
  await h?.stop();
});

describe('drift repair', () => {
  it('applies a late commit on the secondary poll and counts it', async () => {
    const conn = await sfConnection(h);
    h.emulator.org.setControls({ commitDelayMs: 5000 });
    // The reply comes at once; the record becomes visible 5 s later with its original stamp — after the
    // primary windows (1 s apart) have passed it, before the drift re-poll (8 s after its window).
    const { id } = (await conn.sobject('Contact').create({ LastName: 'Late' })) as { id: string };
    h.emulator.org.setControls({ commitDelayMs: 0 });
    const row = await waitFor(() => rowOf(h, 'contact', id), { timeoutMs: 20_000, what: 'the late record' });
    expect(row['lastname']).toBe('Late');
    // The page commits before its window row is finished: wait for the count.
    await waitFor(
      async () => {
        const { rows } = await h.pool.query(
          "select coalesce(sum(drift_fixed), 0)::int as fixed from sfsync.poll_windows where mapping_id = $1 and kind = 'secondary' and outcome = 'succeeded'",
          [contact],
        );
        return rows[0].fixed === 1;
      },
      { what: 'drift_fixed = 1' },
    );
  });
});

describe('delete mode mark', () => {
  it('marks deleted records and clears the mark on undelete', async () => {
    const conn = await sfConnection(h);
    const { id } = (await conn.sobject('Lead').create({ LastName: 'Gone', Company: 'Acme' })) as { id: string };
    await waitFor(() => rowOf(h, 'lead', id), { what: 'the lead' });
    await conn.sobject('Lead').destroy(id);
    await waitFor(async () => (await rowOf(h, 'lead', id))?.['isdeleted'] === true, { what: 'isdeleted = true' });
    h.emulator.org.write([{ kind: 'undelete', id }], { allOrNone: true }, h.emulator.org.systemContext());
    await waitFor(async () => (await rowOf(h, 'lead', id))?.['isdeleted'] === false, { what: 'isdeleted = false' });
  });
});
