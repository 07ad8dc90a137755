/**
 * Platform Event triggers end to end, as in "a flow emits an event": the
 * emulator publishes `Sync_Request__e` (Record_Id__c = the record's Id) after
 * every Account save commits (automation rule `publish`); a mapping names the
 * event (`event`, `eventField`), polls only hourly and does not stream, so
 * only the event can bring the change in time. sfsync fetches the record by
 * Id and applies it as a poll does; the event's replay id is stored, and a
 * restarted engine resumes after it. An event naming several Ids fetches them all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: {
      schema: { objects: [{ name: 'Sync_Request__e', fields: [{ name: 'Record_Id__c', type: 'string', length: 2000 }] }] },
      automation: [{ object: 'Account', on: ['update'], publish: { event: 'Sync_Request__e', idField: 'Record_Id__c' } }],
    },
  });
  mappingId = await mapObject(h, {
    sobject: 'Account',
    fields: ['Name', 'Phone'],
    pollInterval: '1 hour',
    streaming: 'off',
    event: 'Sync_Request__e',
    eventField: 'Record_Id__c',
  });
  await h.startEngine();
  await waitLoaded(h, mappingId);
  await waitFor(async () => (await h.pool.query(`select 1 from sfsync.stream_state where channel = '/event/Sync_Request__e'`)).rowCount === 1, {
    what: 'the event subscription',
  });
});
afterAll(() => h?.stop());

const replayOf = async () =>
  (await h.pool.query<{ replay_id: string | null }>(`select replay_id::text from sfsync.stream_state where channel = '/event/Sync_Request__e'`)).rows[0]
    ?.replay_id ?? null;

describe('a flow emits an event', () => {
  it("stores the mapping's event and field", async () => {
    const { rows } = await h.pool.query('select event_channel, event_field from sfsync.mappings where id = $1', [mappingId]);
    expect(rows[0]).toEqual({ event_channel: 'Sync_Request__e', event_field: 'Record_Id__c' });
  });

  it('a record saved in Salesforce arrives by its event, and the replay id is stored', async () => {
    // The load queues one poll at once; after it, the next is an hour away.
    const primaries = async () =>
      (
        await h.pool.query<{ n: number }>(
          `select count(*)::int as n from sfsync.poll_windows where mapping_id = $1 and kind = 'primary' and outcome is not null`,
          [mappingId],
        )
      ).rows[0]!.n;
    const pollsDue = async () =>
      (
        await h.pool.query<{ n: number }>(
          `select count(*)::int as n from graphile_worker.jobs where task_identifier = 'sfsync:poll' and run_at < now() + interval '10 minutes'`,
        )
      ).rows[0]!.n;
    await waitFor(async () => (await pollsDue()) === 0, { what: 'the poll after the load to finish' });
    const before = await primaries();
    const conn = await sfConnection(h);
    const created = await conn.sobject('Account').create({ Name: 'Evented' });
    const id = (created as { id: string }).id;
    // The create publishes nothing (the rule is on update); the update does.
    await conn.sobject('Account').update({ Id: id, Phone: '555-0142' });
    const row = await waitFor(async () => rowOf(h, 'account', id), { what: 'the record to arrive by its event', timeoutMs: 15_000 });
    expect(row).toMatchObject({ name: 'Evented', phone: '555-0142', _sfsync_state: 'synced' });
    await waitFor(async () => (await replayOf()) !== null, { what: 'the replay id to be promoted' });
    // No window was polled for it, and no poll is due: the event fetched it.
    expect(await primaries()).toBe(before);
    expect(await pollsDue()).toBe(0);
  });

  it('an event naming several Ids fetches them all', async () => {
    const conn = await sfConnection(h);
    // Created with the rule off for creates: nothing brings them but the event published by hand.
    const results = (await conn.sobject('Account').create([{ Name: 'Multi A' }, { Name: 'Multi B' }])) as Array<{ id: string }>;
    const ids = results.map((r) => r.id);
    await conn.sobject('Sync_Request__e').create({ Record_Id__c: ids.join(', ') });
    for (const id of ids) await waitFor(async () => rowOf(h, 'account', id), { what: `record ${id} by the event`, timeoutMs: 15_000 });
  });

  it('a restarted engine resumes after the stored replay id (events meanwhile are replayed)', async () => {
    const stored = Number(await replayOf());
    await h.engine!.stop();
    h.engines.splice(h.engines.indexOf(h.engine!), 1);
    const conn = await sfConnection(h);
    const created = (await conn.sobject('Account').create({ Name: 'While down' })) as { id: string };
    await conn.sobject('Account').update({ Id: created.id, Phone: '555-0100' });
    await h.startEngine();
    const row = await waitFor(async () => rowOf(h, 'account', created.id), { what: 'the event published while down', timeoutMs: 20_000 });
    expect(row).toMatchObject({ name: 'While down', phone: '555-0100' });
    await waitFor(async () => Number(await replayOf()) > stored, { what: 'the replayed event to be promoted' });
  });

  it('falls back to a window poll when the stored replay id is no longer retained', async () => {
    await h.engine!.stop();
    h.engines.splice(0);
    // An id the emulator never retained: Salesforce answers 400::The replayId {…} you provided was invalid.
    await h.pool.query("update sfsync.stream_state set replay_id = 999999999 where channel = '/event/Sync_Request__e'");
    const conn = await sfConnection(h);
    const created = (await conn.sobject('Account').create({ Name: 'After expiry' })) as { id: string };
    await h.startEngine();
    await waitFor(() => rowOf(h, 'account', created.id), { timeoutMs: 10_000, what: 'the fallback poll' });
    // Subscribed again from -1: a new event brings its record.
    const next = (await conn.sobject('Account').create({ Name: 'After fallback' })) as { id: string };
    await conn.sobject('Account').update({ Id: next.id, Phone: '555-0199' });
    await waitFor(async () => (await rowOf(h, 'account', next.id))?.['phone'] === '555-0199', { timeoutMs: 10_000, what: 'events after the fallback' });
  });
});
