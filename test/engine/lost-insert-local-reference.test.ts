/**
 * A child inserted with its parent as `@<local id>` whose insert's reply was
 * lost (its process died after Salesforce committed), then polled before the
 * push sent it again. The record in Salesforce holds the parent's sfid where
 * the unsent change holds `@<id>`: the same parent, so no conflict. Before,
 * the apply counted it as a Salesforce change and dropped `AccountId` from the
 * change ("Salesforce wins"):
 * - the change feed's outbound insert then came without `AccountId`, after the
 *   poll's entries, so the feed folded in order lost it (the soak's feed oracle
 *   found this in about one run in two);
 * - a reparent the app made meanwhile (`@<another id>`) was dropped the same
 *   way, and never reached Salesforce.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ack, foldEntries, read, subscribe, type FeedEntry } from '../../src/feed/feed.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let accountMapping: string;
let contactMapping: string;

beforeAll(async () => {
  h = await startSyncHarness({ config: { feed: { enabled: true } } });
  accountMapping = await mapObject(h, { sobject: 'Account', fields: ['Name'], mode: 'read_write' });
  contactMapping = await mapObject(h, {
    sobject: 'Contact',
    fields: ['LastName', 'AccountId', 'Ext_Id__c'],
    externalIdField: 'Ext_Id__c',
    mode: 'read_write',
  });
  await h.startEngine();
  await waitLoaded(h, accountMapping);
  await waitLoaded(h, contactMapping);
});
afterAll(() => h?.stop());

const rowOf = async (table: string, id: string) =>
  (await h.pool.query<{ sfid: string | null; accountid?: string | null }>(`select * from salesforce.${table} where id = $1`, [id])).rows[0];

/** Everything after the subscriber's cursor, acked. */
async function drain(subscriber: string): Promise<FeedEntry[]> {
  const all: FeedEntry[] = [];
  for (;;) {
    const batch = await read(h.pool, subscriber, 100);
    if (batch.length === 0) return all;
    all.push(...batch);
    await ack(h.pool, subscriber, batch.at(-1)!.position);
  }
}

/** A row's feed entries folded in position order (an insert sets the values, an update merges its fields), as the soak's feed oracle folds them. */
function fold(entries: FeedEntry[], mappingId: string, recordId: string): Record<string, unknown> {
  return foldEntries(entries.filter((x) => x.mappingId === mappingId && x.recordId === recordId));
}

describe('a lost insert reply with the parent as @<id>, polled before the push sends it again', () => {
  it('is no conflict: the feed keeps AccountId and a reparent made meanwhile reaches Salesforce', async () => {
    await subscribe(h.pool, 'lost_insert');
    const accounts = await h.pool.query<{ id: string }>(`insert into salesforce.account (name) values ('First parent'), ('Second parent') returning id::text`);
    const [first, second] = accounts.rows.map((r) => r.id) as [string, string];
    const [p1, p2] = await Promise.all(
      [first, second].map((id) => waitFor(async () => (await rowOf('account', id))?.sfid, { what: `Account row ${id} to get its sfid` })),
    );

    // The engine stops; a dying process claims the two inserts, Salesforce commits them, and the process vanishes.
    await h.engine!.stop();
    h.engines.splice(0);
    const contacts = await h.pool.query<{ id: string }>(
      `insert into salesforce.contact (lastname, ext_id__c, accountid) values ('Kept', 'LOST-1', $1), ('Moved', 'LOST-2', $1) returning id::text`,
      [`@${first}`],
    );
    const [kept, moved] = contacts.rows.map((r) => r.id) as [string, string];
    const dying = new pg.Client(h.db.url);
    await dying.connect();
    try {
      expect((await dying.query(`select * from sfsync.claim_outbox($1, 'dying', 100)`, [contactMapping])).rows).toHaveLength(2);
      const sf = await h.salesforce();
      const sent = await sf.upsert('Contact', 'Ext_Id__c', [
        { LastName: 'Kept', Ext_Id__c: 'LOST-1', AccountId: p1 },
        { LastName: 'Moved', Ext_Id__c: 'LOST-2', AccountId: p1 },
      ]);
      expect(sent.every((r) => r.success)).toBe(true);
      // The app moves one child under the other parent while the insert's outcome is unknown.
      await h.pool.query(`update salesforce.contact set accountid = $2 where id = $1`, [moved, `@${second}`]);
    } finally {
      await dying.end();
    }

    // Every push fails until released, so the polls meet the inserts unsent (back to new, outcome unknown).
    h.emulator.org.setControls({ faults: [{ kind: '5xx', pathPrefix: '/services/data/v59.0/composite' }] });
    try {
      await h.startEngine();
      await waitFor(async () => (await rowOf('contact', kept))?.sfid && (await rowOf('contact', moved))?.sfid, {
        what: 'a poll to attach both rows by External ID',
      });
      // A later poll of the same records, the rows having their sfid now: this one decides conflicts.
      const attached = new Date();
      await waitFor(
        async () =>
          (
            await h.pool.query(
              `select 1 from sfsync.poll_windows where mapping_id = $1 and kind = 'secondary' and outcome = 'succeeded' and records_seen >= 2 and started_at > $2`,
              [contactMapping, attached],
            )
          ).rowCount === 1,
        { what: 'the drift re-poll of the window', timeoutMs: 20_000 },
      );
    } finally {
      h.emulator.org.setControls({ faults: [] });
    }

    const conn = await sfConnection(h);
    const sfAccountId = async (id: string) =>
      ((await conn.sobject('Contact').retrieve((await rowOf('contact', id))!.sfid!)) as { AccountId: string }).AccountId;
    await waitFor(async () => (await sfAccountId(moved)) === p2 && (await rowOf('contact', moved))?.accountid === p2, {
      what: 'the reparent to reach Salesforce and come back',
      timeoutMs: 20_000,
    });
    await waitFor(
      async () => (await h.pool.query(`select 1 from sfsync.outbox_status where mapping_id = $1 and pending > 0`, [contactMapping])).rowCount === 0,
      { what: 'the Contact pushes to settle' },
    );
    expect(await sfAccountId(kept)).toBe(p1);
    expect((await rowOf('contact', kept))?.accountid).toBe(p1);
    expect((await h.pool.query(`select field, pg_value, sf_value from sfsync.conflicts where mapping_id = $1`, [contactMapping])).rows).toEqual([]);

    // The feed, folded in order with `@<id>` read as that parent's sfid, ends where the table is.
    const entries = await drain('lost_insert');
    const sfidOf = new Map([
      [`@${first}`, p1],
      [`@${second}`, p2],
    ]);
    const resolved = (v: unknown) => (typeof v === 'string' ? (sfidOf.get(v) ?? v) : v);
    expect(resolved(fold(entries, contactMapping, kept).AccountId)).toBe(p1);
    expect(resolved(fold(entries, contactMapping, moved).AccountId)).toBe(p2);
  });
});
