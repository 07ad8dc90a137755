/**
 * The change feed (sql/migrations/3_change_feed.sql, src/feed/feed.ts):
 * - SQL: subscribers read after their cursor and get entries again until they
 *   ack (at least once); positions follow commit order, so an entry of a
 *   transaction that commits after a reader acked a later-written one is still
 *   read (two sessions); a subscriber behind retention gets an error; NOTIFY
 *   wakes a listener at commit;
 * - the engine with `feed.enabled`: a push appends an outbound entry, a poll
 *   an inbound one (update with only the changed fields, delete), each record's
 *   entries in order; a reload's merge appends what it changes (a stale value
 *   put back, a row whose record is gone deleted).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ack, read, subscribe, type FeedEntry } from '../../src/feed/feed.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness({ config: { feed: { enabled: true } } });
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Phone', 'NumberOfEmployees'], mode: 'read_write' });
  await h.startEngine();
  await waitLoaded(h, mappingId);
});
afterAll(() => h?.stop());

/** Append one pending entry as a writer would (the sync paths' insert), on `db`. */
const appendRaw = (db: pg.ClientBase | pg.Pool, sfid: string) =>
  db.query(
    `insert into sfsync.feed_pending (connection_id, mapping_id, sobject, sfid, direction, op, changed) values ($1, $2, 'Account', $3, 'inbound', 'update', '{}')`,
    [h.connectionId, mappingId, sfid],
  );

/** Read everything there is for `subscriber` and ack it. */
async function drain(subscriber: string): Promise<FeedEntry[]> {
  const all: FeedEntry[] = [];
  for (;;) {
    const batch = await read(h.pool, subscriber, 50);
    if (batch.length === 0) return all;
    all.push(...batch);
    await ack(h.pool, subscriber, batch.at(-1)!.position);
  }
}

describe('reading the feed from SQL', () => {
  it('delivers at least once: entries come again until acked, in position order', async () => {
    await subscribe(h.pool, 'sql_reader');
    await appendRaw(h.pool, 'RAW000000000000001');
    await appendRaw(h.pool, 'RAW000000000000002');
    const first = await read(h.pool, 'sql_reader', 10);
    expect(first.map((e) => e.sfid)).toEqual(['RAW000000000000001', 'RAW000000000000002']);
    expect(Number(first[1]!.position)).toBe(Number(first[0]!.position) + 1);
    expect((await read(h.pool, 'sql_reader', 10)).map((e) => e.position)).toEqual(first.map((e) => e.position));
    await ack(h.pool, 'sql_reader', first[0]!.position);
    expect((await read(h.pool, 'sql_reader', 10)).map((e) => e.sfid)).toEqual(['RAW000000000000002']);
    await ack(h.pool, 'sql_reader', first[1]!.position);
    expect(await read(h.pool, 'sql_reader', 10)).toEqual([]);
  });

  it('never skips an entry whose transaction commits after a later one was read and acked', async () => {
    await subscribe(h.pool, 'ordering');
    const slow = new pg.Client(h.db.url);
    await slow.connect();
    try {
      await slow.query('begin');
      await appendRaw(slow, 'RAW00000000000SLOW'); // written first, commits last
      await appendRaw(h.pool, 'RAW00000000000FAST');
      const seen = await drain('ordering');
      expect(seen.map((e) => e.sfid)).toEqual(['RAW00000000000FAST']);
      await slow.query('commit');
      const later = await drain('ordering');
      expect(later.map((e) => e.sfid)).toEqual(['RAW00000000000SLOW']);
      expect(Number(later[0]!.position)).toBe(Number(seen[0]!.position) + 1);
    } finally {
      await slow.end();
    }
  });

  it('tells a subscriber that fell behind retention, instead of handing it a gap', async () => {
    await subscribe(h.pool, 'laggard');
    await appendRaw(h.pool, 'RAW000000000000OLD');
    await drain('sql_reader'); // a subscriber that acked everything to be pruned
    await h.pool.query(`select sfsync.feed_unsubscribe('ordering')`);
    await h.pool.query(`update sfsync.feed set settled_at = now() - interval '2 hours'`);
    const { rows } = await h.pool.query<{ n: number }>(`select sfsync.feed_prune(interval '1 hour') as n`);
    expect(rows[0]!.n).toBeGreaterThan(0);
    await expect(read(h.pool, 'laggard', 10)).rejects.toThrow(/fell behind the feed's retention.*feed_subscribe/);
    // A subscriber that had acked everything pruned reads on.
    expect(await read(h.pool, 'sql_reader', 10)).toEqual([]);
    await h.pool.query(`select sfsync.feed_unsubscribe('laggard')`);
  });

  it('refuses an unknown subscriber and an ack past the end with one line naming the fix', async () => {
    await expect(read(h.pool, 'nobody', 10)).rejects.toThrow(/no feed subscriber "nobody"; create it with select sfsync.feed_subscribe/);
    await expect(ack(h.pool, 'sql_reader', '999999999')).rejects.toThrow(/past the feed's end/);
  });

  it('NOTIFY sfsync:feed wakes a listener when an append commits', async () => {
    const listener = new pg.Client(h.db.url);
    await listener.connect();
    try {
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(n.channel));
      await listener.query('listen "sfsync:feed"');
      await appendRaw(h.pool, 'RAW00000000000NOTE');
      await waitFor(() => heard.includes('sfsync:feed'), { what: 'the feed notification', timeoutMs: 5_000 });
    } finally {
      await listener.end();
    }
  });
});

describe('the engine appends both directions', () => {
  it('a push appends an outbound entry; polls append inbound updates and deletes, in order per record', async () => {
    await subscribe(h.pool, 'engine');
    await drain('engine');
    const { rows } = await h.pool.query<{ id: string }>(`insert into salesforce.account (name, phone) values ('Feed Co', '555-0100') returning id::text`);
    const id = rows[0]!.id;
    const sfid = await waitFor(
      async () =>
        (await h.pool.query(`select sfid from salesforce.account where id = $1 and _sfsync_state = 'synced'`, [id])).rows[0]?.sfid as string | undefined,
      { what: 'the insert to sync' },
    );
    const conn = await sfConnection(h);
    await conn.sobject('Account').update({ Id: sfid, NumberOfEmployees: 7 });
    await waitFor(async () => (await h.pool.query(`select 1 from salesforce.account where id = $1 and numberofemployees = 7`, [id])).rowCount === 1, {
      what: 'the update to arrive',
    });
    await conn.sobject('Account').destroy(sfid);
    await waitFor(async () => (await h.pool.query(`select 1 from salesforce.account where id = $1`, [id])).rowCount === 0, { what: 'the delete to arrive' });

    const entries: FeedEntry[] = [];
    await waitFor(
      async () => {
        entries.push(...(await drain('engine')));
        return entries.filter((e) => e.sfid === sfid && e.op === 'delete').length === 1;
      },
      { what: 'the feed entries' },
    );
    const mine = entries.filter((e) => e.recordId === id);
    // The poll after the push may apply the record's SystemModstamp: an inbound update with no mapped field, in between.
    const shape = mine.map((e) => `${e.direction}:${e.op}`).filter((s, i, all) => !(s === 'inbound:update' && all[i + 1] === 'inbound:update'));
    expect(shape[0]).toBe('outbound:insert');
    expect(shape.at(-1)).toBe('inbound:delete');
    expect(mine[0]).toMatchObject({ sobject: 'Account', mappingId, connectionId: h.connectionId, changed: { Name: 'Feed Co', Phone: '555-0100' } });
    const update = mine.find((e) => e.direction === 'inbound' && e.op === 'update' && 'NumberOfEmployees' in e.changed);
    expect(update?.changed).toEqual({ NumberOfEmployees: 7 });
    expect(update?.systemmodstamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    const positions = mine.map((e) => Number(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });
});

describe('a reload appends what its merge changes', () => {
  it('a value put back and a row whose record is gone, as inbound entries', async () => {
    await subscribe(h.pool, 'reload');
    const conn = await sfConnection(h);
    const created = (await conn.sobject('Account').create({ Name: 'Reloaded', Phone: '555-0001' })) as { id: string };
    await waitFor(async () => (await h.pool.query(`select 1 from salesforce.account where sfid = $1`, [created.id])).rowCount === 1, {
      what: 'the record to arrive',
    });
    // Drift no poll sees: a stale value, and a row of a record Salesforce never had (both written as sfsync would, not captured).
    const stale = await h.pool.connect();
    try {
      await stale.query('begin');
      await stale.query("select set_config('sfsync.origin', 'salesforce', true)");
      await stale.query(`update salesforce.account set phone = 'stale' where sfid = $1`, [created.id]);
      await stale.query(
        `insert into salesforce.account (sfid, name, systemmodstamp, _sfsync_state) values ('001000000000GONEAA', 'Gone', '2020-01-01', 'synced') returning id`,
      );
      await stale.query('commit');
    } finally {
      stale.release();
    }
    await drain('reload');
    await h.pool.query(`select graphile_worker.add_job('sfsync:reload', json_build_object('mappingId', $1::text))`, [mappingId]);
    const entries: FeedEntry[] = [];
    await waitFor(
      async () => {
        entries.push(...(await drain('reload')));
        return entries.some((e) => e.sfid === '001000000000GONEAA' && e.op === 'delete') && entries.some((e) => e.sfid === created.id);
      },
      { what: "the reload's entries", timeoutMs: 30_000 },
    );
    expect(entries.find((e) => e.sfid === created.id)).toMatchObject({ direction: 'inbound', op: 'update', changed: { Phone: '555-0001' } });
    expect(entries.find((e) => e.sfid === '001000000000GONEAA')).toMatchObject({ direction: 'inbound', op: 'delete', changed: {}, systemmodstamp: null });
  });
});
