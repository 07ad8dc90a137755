/**
 * A conflict with a change of unknown outcome, and the change feed. The app
 * inserts a record (an upsert by External ID); the push sends it and dies
 * before its write-back, so the change goes back to 'new' with an unknown
 * outcome. A Salesforce user then edits the new record, and the poll, which
 * attaches the record to the row by External ID, lets Salesforce win.
 *
 * The upsert may have landed (it did), so the apply treats it as a change in
 * flight: it leaves its values as sent and queues Salesforce's value again
 * behind it. Before, it dropped the field from the upsert, and the feed
 * entry the push appended later (after the poll's) was an insert without
 * that field: a reader folding the feed lost Salesforce's value, although
 * the table and Salesforce both held it (the soak's feed oracle caught it).
 *
 * The rounds run on the test's connections through the real modules (claim,
 * pushRound, fetchAndApply) against the emulator's HTTP surface, so the
 * order of push and poll is the test's.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldEntries, type FeedEntry } from '../../src/feed/feed.js';
import { fetchAndApply } from '../../src/inbound/fetch-apply.js';
import { loadInboundMapping } from '../../src/inbound/inbound-mapping.js';
import { loadPushMapping } from '../../src/outbound/claim.js';
import { pushRound } from '../../src/outbound/round.js';
import { claim } from '../../src/outbox/outbox.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, sfConnection } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeEach(async () => {
  h = await startSyncHarness({ config: { feed: { enabled: true } } });
  // The emulator's Account has an External ID field Ext_Id__c.
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Phone', 'Ext_Id__c'], mode: 'read_write', externalIdField: 'Ext_Id__c' });
});
afterEach(() => h?.stop());

/** The push of a process that dies after Salesforce answered, before its write-back. */
async function dyingPush(): Promise<void> {
  const dying = new pg.Client(h.db.url);
  await dying.connect();
  try {
    const { rows } = await dying.query<{ pid: number }>(`select pg_backend_pid() as pid`);
    const claimed = await dying.query(`select * from sfsync.claim_outbox($1, 'dying', 100)`, [mappingId]);
    expect(claimed.rowCount).toBe(1);
    const sf = await h.salesforce();
    const [result] = await sf.upsert('Account', 'Ext_Id__c', [{ Name: 'Unknown', Phone: '555-0100', Ext_Id__c: 'UNK-1' }]);
    expect(result?.success).toBe(true);
    await dying.end();
    // recover_outbox takes claims back only from sessions that are gone.
    await waitFor(async () => (await h.pool.query(`select 1 from pg_stat_activity where pid = $1`, [rows[0]!.pid])).rowCount === 0, {
      what: 'the dying session to end',
    });
  } finally {
    await dying.end().catch(() => undefined);
  }
  const recovered = await h.pool.query(`select sfsync.recover_outbox($1) as n`, [mappingId]);
  expect(recovered.rows[0].n).toBe(1);
}

async function poll(): Promise<void> {
  const sf = await h.salesforce();
  const mapping = await loadInboundMapping(h.pool, mappingId, { feed: true });
  await fetchAndApply(h.pool, sf, mapping, `select Id, Name, Phone, Ext_Id__c, SystemModstamp, CreatedDate, IsDeleted from Account`, {
    api: 'rest',
    includeDeleted: false,
  });
}

async function push(): Promise<void> {
  const sf = await h.salesforce();
  const client = await h.pool.connect();
  try {
    const mapping = (await loadPushMapping(client, mappingId))!;
    const groups = await claim(client, mappingId, 'test/push', 100);
    if (groups.length > 0) await pushRound(client, sf, mapping, groups, { ...h.config.push, feed: true, claimedBy: 'test/push' });
  } finally {
    client.release();
  }
}

/** The record's feed entries folded in order, as a reader would: an insert starts the record over. */
async function foldedFeed(recordId: string): Promise<{ values: Record<string, unknown>; entries: string[] }> {
  const { rows } = await h.pool.query<Pick<FeedEntry, 'direction' | 'op' | 'changed'>>(
    `select direction, op, changed from sfsync.feed_pending where record_id = $1 order by id`,
    [recordId],
  );
  return { values: foldEntries(rows), entries: rows.map((e) => `${e.direction}:${e.op}`) };
}

describe('Salesforce wins a field of an insert whose outcome is unknown', () => {
  it('keeps the insert as sent and re-sends the winner behind it: the feed folds to what both sides hold', async () => {
    const { rows } = await h.pool.query<{ id: string }>(
      `insert into salesforce.account (name, phone, ext_id__c) values ('Unknown', '555-0100', 'UNK-1') returning id::text`,
    );
    const id = rows[0]!.id;
    await dyingPush();
    const conn = await sfConnection(h);
    const sfid = (await conn.query<{ Id: string }>(`select Id from Account where Ext_Id__c = 'UNK-1'`)).records[0]!.Id;
    await conn.sobject('Account').update({ Id: sfid, Phone: '555-0199' });

    await poll();
    const conflicts = await h.pool.query(`select field, decision from sfsync.conflicts where sfid = $1`, [sfid]);
    expect(conflicts.rows).toEqual([{ field: 'Phone', decision: 'salesforce' }]);
    // The insert of unknown outcome keeps the value it sent; Salesforce's value is queued after it.
    const open = await h.pool.query(`select op, changed, old from sfsync.outbox where record_id = $1 and state = 'new' order by id`, [id]);
    expect(open.rows).toEqual([
      { op: 'insert', changed: { Name: 'Unknown', Phone: '555-0100', Ext_Id__c: 'UNK-1' }, old: null },
      { op: 'update', changed: { Phone: '555-0199' }, old: { Phone: '555-0100' } },
    ]);

    await push();
    const row = await h.pool.query(`select phone, sfid, _sfsync_state as state from salesforce.account where id = $1`, [id]);
    expect(row.rows[0]).toEqual({ phone: '555-0199', sfid, state: 'synced' });
    expect(h.emulator.org.list('Account').filter((r) => r.values.Ext_Id__c === 'UNK-1')).toHaveLength(1);
    expect(h.emulator.org.latest(sfid)?.values.Phone).toBe('555-0199');
    const feed = await foldedFeed(id);
    expect(feed.values, `feed ${feed.entries.join(', ')}`).toEqual({ Name: 'Unknown', Phone: '555-0199', Ext_Id__c: 'UNK-1' });
  });
});
