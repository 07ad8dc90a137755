/**
 * The causes the chaos soak found, one test each (each fails without its fix):
 * - a Salesforce record held back while a local insert was unresolved
 *   (no External ID) arrives at the next poll once the insert is settled,
 *   instead of never (the drift re-poll held it back again);
 * - a create whose reply was lost and whose record commits late is adopted by
 *   the lookup, not sent a second time; so is one edited in Salesforce before
 *   the lookup (recognized by its name field);
 * - the push's write-back takes the mapped row before its outbox rows, the
 *   inbound apply's order, so the two never deadlock.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPushMapping } from '../../src/outbound/claim.js';
import { claim as claimChanges } from '../../src/outbox/outbox.js';
import { writeBack } from '../../src/outbound/write-back.js';
import { coalesceChanges } from '../../src/outbound/coalesce.js';
import { toInboundRow } from '../../src/inbound/record.js';
import { applyPage } from '../../src/inbound/apply-page.js';
import { loadInboundMapping } from '../../src/inbound/inbound-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeEach(async () => {
  h = await startSyncHarness();
  // No External ID: the mapping where local inserts of unknown outcome hold Salesforce records back.
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'NumberOfEmployees'], mode: 'read_write', driftDelay: '1 hour' });
});
afterEach(() => h?.stop());

const accounts = (prefix: string) => h.emulator.org.list('Account').filter((r) => String(r.values.Name).startsWith(prefix));

describe('records held back for an unresolved local insert', () => {
  it('only a record that may be the insert waits, and it arrives at the next poll once the insert is settled', async () => {
    await h.startEngine();
    await waitLoaded(h, mappingId);
    // A local insert claimed by a push that is still running (its backend lives): outcome unresolved.
    const pusher = new pg.Client(h.db.url);
    await pusher.connect();
    try {
      await h.pool.query("insert into salesforce.account (name, numberofemployees) values ('Twin', 7)");
      const claimed = await pusher.query('select id from sfsync.claim_outbox($1, $2, 10)', [mappingId, 'test-push']);
      expect(claimed.rows).toHaveLength(1);
      const conn = await sfConnection(h);
      // Its name as the insert in flight: it may be that insert, so it waits. Another name: it goes in at once.
      const twin = ((await conn.sobject('Account').create({ Name: 'Twin', NumberOfEmployees: 7 })) as { id: string }).id;
      const other = ((await conn.sobject('Account').create({ Name: 'Not a twin', NumberOfEmployees: 7 })) as { id: string }).id;
      await waitFor(() => rowOf(h, 'account', other), { what: 'the record with other values', timeoutMs: 20_000 });
      await waitFor(async () => (await h.pool.query('select 1 from sfsync.deferred_inserts where sfid = $1', [twin])).rowCount === 1, {
        what: 'the twin held back',
        timeoutMs: 20_000,
      });
      expect(await rowOf(h, 'account', twin)).toBeUndefined();
      // The push settles: Salesforce refused the insert for good.
      await pusher.query(`update sfsync.outbox set state = 'failed', error = '{"code":"REQUIRED_FIELD_MISSING"}', done_at = now() where id = $1`, [
        claimed.rows[0].id,
      ]);
      // Drift is an hour away: only the release of held-back records brings it in.
      const row = await waitFor(() => rowOf(h, 'account', twin), { what: 'the held-back record', timeoutMs: 20_000 });
      expect(row['numberofemployees']).toBe(7);
      await waitFor(async () => (await h.pool.query('select 1 from sfsync.deferred_inserts')).rowCount === 0, { what: 'the line forgotten' });
    } finally {
      await pusher.end();
    }
  });
});

describe('an insert of unknown outcome whose record was edited in Salesforce before the lookup', () => {
  it('is recognized by its name field and adopted, not created again', async () => {
    await h.pool.query("insert into salesforce.account (name, numberofemployees) values ('Edited early', 1)");
    // The dying push: claims on its own connection, Salesforce creates the record, the process vanishes.
    const dying = new pg.Client(h.db.url);
    await dying.connect();
    expect((await dying.query('select 1 from sfsync.claim_outbox($1, $2, 10)', [mappingId, 'dying'])).rows).toHaveLength(1);
    const sf = await h.salesforce();
    const [created] = await sf.create('Account', [{ Name: 'Edited early', NumberOfEmployees: 1 }]);
    await dying.end();
    // A Salesforce user edits it before sfsync learns its Id: the sent values no longer match.
    const conn = await sfConnection(h);
    await conn.sobject('Account').update({ Id: created!.id!, NumberOfEmployees: 2 });
    await h.startEngine();
    await waitLoaded(h, mappingId);
    await waitFor(async () => (await h.pool.query("select 1 from salesforce.account where name = 'Edited early' and sfid is not null")).rowCount === 1, {
      what: 'the row adopted',
      timeoutMs: 30_000,
    });
    await waitFor(
      async () => (await h.pool.query("select numberofemployees from salesforce.account where name = 'Edited early'")).rows[0]?.numberofemployees === 2,
      { what: "Salesforce's edit in the row" },
    );
    expect(accounts('Edited early').map((r) => r.id)).toEqual([created!.id]);
    expect((await h.pool.query("select count(*)::int as n from salesforce.account where name = 'Edited early'")).rows[0].n).toBe(1);
  });
});

describe('a row deleted while its insert had an unknown outcome', () => {
  it('has the record the lost call created deleted too, not left behind', async () => {
    h.emulator.org.setControls({ lostResponses: { next: 1, method: 'POST', pathPrefix: '/services/data/v59.0/composite/sobjects' } });
    await h.startEngine();
    await waitLoaded(h, mappingId);
    const { rows } = await h.pool.query<{ id: string }>("insert into salesforce.account (name) values ('Deleted unknown') returning id::text");
    await waitFor(
      async () => (await h.pool.query('select 1 from sfsync.outbox where record_id = $1 and unknown_since is not null', [rows[0]!.id])).rowCount === 1,
      { what: 'the lost reply' },
    );
    await h.pool.query('delete from salesforce.account where id = $1', [rows[0]!.id]);
    expect(accounts('Deleted unknown'), 'the lost call created it').toHaveLength(1);
    await waitFor(() => accounts('Deleted unknown').length === 0, { what: 'the record deleted in Salesforce', timeoutMs: 20_000 });
    await waitFor(async () => (await h.pool.query('select 1 from sfsync.outbox_status where pending > 0')).rowCount === 0, {
      what: 'nothing left to send',
    });
    expect((await h.pool.query("select count(*)::int as n from salesforce.account where name = 'Deleted unknown'")).rows[0].n).toBe(0);
  });
});

describe('an insert whose reply was lost and whose record commits late', () => {
  it('is looked up again until the record shows, and never sent twice', async () => {
    // The record becomes visible 3 s after the call; the lookup 1 s after the lost reply finds nothing.
    h.emulator.org.setControls({ commitDelayMs: 3000, lostResponses: { next: 1, method: 'POST', pathPrefix: '/services/data/v59.0/composite/sobjects' } });
    await h.startEngine();
    await waitLoaded(h, mappingId);
    await h.pool.query("insert into salesforce.account (name, numberofemployees) values ('Late and lost', 5)");
    await waitFor(
      async () =>
        (await h.pool.query("select 1 from salesforce.account where name = 'Late and lost' and sfid is not null and _sfsync_state = 'synced'")).rowCount === 1,
      {
        what: 'the row synced',
        timeoutMs: 40_000,
      },
    );
    h.emulator.org.setControls({ commitDelayMs: 0 });
    await waitFor(() => h.emulator.org.counts().pendingCommits === 0, { what: 'every delayed commit visible' });
    expect(h.emulator.org.controls.lostResponses.next, 'the reply was lost').toBe(0);
    expect(accounts('Late and lost')).toHaveLength(1);
    const { rows } = await h.pool.query("select sfid from salesforce.account where name = 'Late and lost'");
    expect(rows).toEqual([{ sfid: accounts('Late and lost')[0]!.id }]);
  });
});

describe('a push paused by REQUEST_LIMIT_EXCEEDED', () => {
  it('resumes as soon as a poll gets through to the org, not when the pause runs out', async () => {
    await h.startEngine();
    await waitLoaded(h, mappingId);
    await h.pool.query("update sfsync.connections set push_paused_until = now() + interval '1 hour'");
    await h.pool.query("insert into salesforce.account (name) values ('After the limit')");
    await waitFor(
      async () => (await h.pool.query("select 1 from salesforce.account where name = 'After the limit' and _sfsync_state = 'synced'")).rowCount === 1,
      { what: 'the push after a poll succeeded', timeoutMs: 20_000 },
    );
    expect(accounts('After the limit')).toHaveLength(1);
  });
});

describe('lock order', () => {
  it('the write-back holds the mapped row before it waits for an outbox row', async () => {
    const { rows } = await h.pool.query<{ id: string }>("insert into salesforce.account (name) values ('Locked') returning id::text");
    const recordId = rows[0]!.id;
    const pusher = new pg.Client(h.db.url);
    const holder = new pg.Client(h.db.url);
    await pusher.connect();
    await holder.connect();
    try {
      const mapping = (await loadPushMapping(pusher, mappingId))!;
      const groups = await claimChanges(pusher, mappingId, 'test-push', 10);
      const change = coalesceChanges(groups[0]!);
      // Another transaction holds the outbox row (as an inbound apply dropping a field would).
      await holder.query('begin');
      await holder.query('select 1 from sfsync.outbox where mapping_id = $1 for update', [mappingId]);
      const pid = (await pusher.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const done = writeBack(pusher, mapping, [{ change, outcome: { kind: 'success', sfid: '001000000000001AAA' } }], { retryBaseMs: 1000, retryMaxMs: 1000 });
      await waitFor(async () => (await h.pool.query("select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'", [pid])).rowCount === 1, {
        what: 'the write-back waiting',
      });
      // The mapped row is already the write-back's: an apply would wait here, before touching the outbox.
      const probe = await h.pool.query('select 1 from salesforce.account where id = $1 for update nowait', [recordId]).then(
        () => 'free',
        (error: { code?: string }) => error.code,
      );
      expect(probe).toBe('55P03');
      await holder.query('rollback');
      await done;
      expect((await h.pool.query('select sfid from salesforce.account where id = $1', [recordId])).rows[0].sfid).toBe('001000000000001AAA');
    } finally {
      await holder.end();
      await pusher.end();
    }
  });
});

describe('an inbound apply, a push write-back and app writes on the same rows at once', () => {
  it('never deadlock', async () => {
    const sfids = Array.from({ length: 20 }, (_, i) => `001000000000${String(100 + i)}AAA`);
    // Rows known on both sides, written uncaptured (as a poll would).
    const client = await h.pool.connect();
    try {
      await client.query('begin');
      await client.query("set local sfsync.origin = 'salesforce'");
      await client.query(
        "insert into salesforce.account (name, sfid, systemmodstamp) select 'Row ' || s, s, now() at time zone 'UTC' from unnest($1::text[]) s",
        [sfids],
      );
      await client.query('commit');
    } finally {
      client.release();
    }
    const { rows: ids } = await h.pool.query<{ id: string }>('select id::text from salesforce.account order by id');
    const inbound = await loadInboundMapping(h.pool, mappingId);
    const pusher = new pg.Client(h.db.url);
    await pusher.connect();
    try {
      const mapping = (await loadPushMapping(pusher, mappingId))!;
      for (let round = 1; round <= 15; round++) {
        // The app changes every row, the highest id first: the push claims and writes back in that order,
        // the apply locks in id order. (The lock-order test above is the one that fails without the fix;
        // this one runs all three at once, 15 times, and fails on any deadlock.)
        for (const r of [...ids].reverse()) await h.pool.query('update salesforce.account set numberofemployees = $1 where id = $2', [round, r.id]);
        await h.pool.query("update sfsync.outbox set next_attempt_at = now() where state = 'new'");
        const changes = (await claimChanges(pusher, mappingId, 'test-push', 100)).map(coalesceChanges);
        const stamp = new Date(Date.now() + round * 1000).toISOString();
        // Salesforce changed the same field: the apply decides conflicts and drops what Salesforce won from 'new' rows.
        const page = sfids.map((sfid, i) =>
          toInboundRow(
            { Id: sfid, SystemModstamp: stamp, IsDeleted: false, CreatedDate: stamp, Name: `Row ${sfid}`, NumberOfEmployees: round * 100 + i },
            inbound.fields,
            'rest',
          ),
        );
        await Promise.all([
          writeBack(
            pusher,
            mapping,
            changes.map((change) => ({ change, outcome: { kind: 'retry' as const, error: { code: 'UNABLE_TO_LOCK_ROW', message: 'retry' } } })),
            { retryBaseMs: 1, retryMaxMs: 1 },
          ),
          applyPage(h.pool, inbound, page),
          ...ids.slice(0, 3).map((r) => h.pool.query('update salesforce.account set name = $1 where id = $2', [`App ${round}`, r.id])),
        ]);
      }
    } finally {
      await pusher.end();
    }
    // Salesforce's last values are in: the apply really ran against the write-backs every round.
    const { rows } = await h.pool.query<{ n: number }>('select numberofemployees as n from salesforce.account where sfid = $1', [sfids[5]]);
    expect(rows[0]!.n).toBe(1505);
  });
});
