/**
 * An insert whose reply was lost, and whose record Salesforce deleted before
 * the push retried, is not sent again: the lookup of the unknown outcome sees
 * deleted records too (without an External ID, by the sent values; with one,
 * by its value, since Salesforce's upsert matches no record in the recycle
 * bin), settles the insert with the deleted record's Id, and leaves the row
 * as an inbound delete would (deleted, or marked with delete_mode 'mark').
 * The soak found copies that "outlived the delete" this way.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;
let stopListening: (() => void) | undefined;

beforeEach(async () => {
  h = await startSyncHarness();
});
afterEach(async () => {
  stopListening?.();
  await h?.stop();
});

/**
 * The reply of the push's next Collections call is lost (Salesforce commits;
 * `method`: POST for create, PATCH for upsert), and the Accounts that call
 * created are deleted in Salesforce at once, well before the push's retry
 * (back-off 50 ms, after the client saw the socket close). Returns their Ids.
 */
function loseReplyThenDelete(method: 'POST' | 'PATCH'): string[] {
  const deleted: string[] = [];
  const org = h.emulator.org;
  org.setControls({ lostResponses: { next: 1, method, pathPrefix: '/services/data/v59.0/composite/sobjects' } });
  let lostCall: string | undefined;
  stopListening = org.onChange((event) => {
    if (event.object !== 'Account' || event.changeType !== 'CREATE') return;
    // One event per record; only the lost call's records (a re-sent insert would be another transaction).
    lostCall ??= event.transactionKey;
    if (event.transactionKey !== lostCall) return;
    const ids = event.recordIds;
    setImmediate(() => {
      for (const result of org.write(
        ids.map((id) => ({ kind: 'delete' as const, id })),
        { allOrNone: true },
        org.systemContext(),
      ))
        if (result.success) deleted.push(result.id);
    });
  });
  return deleted;
}

/** The engine, once the initial load is done: no poll comes after it, so only the push's lookup can learn the records. */
async function startQuiet(mappingId: string): Promise<void> {
  await h.startEngine();
  await waitFor(
    async () => (await h.pool.query(`select 1 from sfsync.mappings where id = $1 and state = 'active' and watermark is not null`, [mappingId])).rowCount === 1,
    {
      what: 'the initial load',
    },
  );
}

async function settled(mappingId: string): Promise<Array<{ state: string; sfid: string | null }>> {
  const { rows } = await h.pool.query<{ state: string; sfid: string | null }>(`select state::text, sfid from sfsync.outbox where mapping_id = $1 order by id`, [
    mappingId,
  ]);
  return rows;
}

describe('an insert of unknown outcome whose record Salesforce deleted before the retry', () => {
  it('without an External ID: found among deleted records, not created again; the row is deleted', async () => {
    const plan = await withClient(h.pool, async (c) =>
      applyMapping(c, await h.salesforce(), {
        connectionId: h.connectionId,
        sobject: 'Account',
        fields: ['Name', 'NumberOfEmployees'],
        mode: 'read_write',
        streaming: 'off',
        // Only the initial load: a poll reading the record first would settle it another way (an inbound attach or delete).
        pollInterval: '1 day',
      }),
    );
    await startQuiet(plan.mappingId);
    const deleted = loseReplyThenDelete('POST');
    await h.pool.query(`insert into salesforce.account (name, numberofemployees) values ('Gone 1', 1), ('Gone 2', 2)`);
    // Settled once nothing is left to send; without the fix the inserts are sent again after UNKNOWN_OUTCOME_SETTLE_MS.
    const outbox = await waitFor(
      async () => {
        const rows = await settled(plan.mappingId);
        return rows.length === 2 && rows.every((r) => r.state !== 'new' && r.state !== 'claimed') ? rows : undefined;
      },
      { what: 'the inserts to settle', timeoutMs: 30_000 },
    );
    expect(deleted).toHaveLength(2);
    expect(outbox.map((r) => r.state)).toEqual(['success', 'success']);
    const accounts = h.emulator.org.list('Account', true).filter((r) => String(r.values.Name).startsWith('Gone '));
    expect(
      accounts.filter((r) => !r.isDeleted),
      'no live copy outlived the delete',
    ).toHaveLength(0);
    expect(accounts.map((r) => r.id).sort(), 'nothing was created again').toEqual([...deleted].sort());
    expect(outbox.map((r) => r.sfid).sort()).toEqual([...deleted].sort());
    const rows = await h.pool.query(`select id from salesforce.account where name like 'Gone %'`);
    expect(rows.rows, 'the rows are deleted, as an inbound delete (delete_mode delete) leaves them').toHaveLength(0);
  });

  it("does not take another row's record, deleted with that row, for the lost insert's (same values, inserted again)", async () => {
    const plan = await withClient(h.pool, async (c) =>
      applyMapping(c, await h.salesforce(), {
        connectionId: h.connectionId,
        sobject: 'Account',
        fields: ['Name', 'NumberOfEmployees'],
        mode: 'read_write',
        streaming: 'off',
        pollInterval: '1 day',
      }),
    );
    await startQuiet(plan.mappingId);
    const first = await h.pool.query<{ id: string }>(`insert into salesforce.account (name, numberofemployees) values ('Again', 1) returning id::text`);
    const firstSfid = await waitFor(
      async () => (await h.pool.query(`select sfid from salesforce.account where id = $1 and _sfsync_state = 'synced'`, [first.rows[0]!.id])).rows[0]?.sfid,
      { what: 'the first row to sync' },
    );
    await h.pool.query(`delete from salesforce.account where id = $1`, [first.rows[0]!.id]);
    await waitFor(() => h.emulator.org.latest(firstSfid)?.isDeleted === true, { what: 'the delete to reach Salesforce' });
    // The same values again, and this insert's reply is lost: its record stays live.
    h.emulator.org.setControls({ lostResponses: { next: 1, method: 'POST', pathPrefix: '/services/data/v59.0/composite/sobjects' } });
    const again = await h.pool.query<{ id: string }>(`insert into salesforce.account (name, numberofemployees) values ('Again', 1) returning id::text`);
    const row = await waitFor(
      async () => (await h.pool.query(`select sfid from salesforce.account where id = $1 and _sfsync_state = 'synced'`, [again.rows[0]!.id])).rows[0],
      { what: 'the second row to sync', timeoutMs: 30_000 },
    );
    expect(h.emulator.org.controls.lostResponses.next, 'the reply was lost').toBe(0);
    const live = h.emulator.org.list('Account').filter((r) => r.values.Name === 'Again');
    expect(live.map((r) => r.id)).toEqual([row.sfid]);
    expect(row.sfid).not.toBe(firstSfid);
  });

  it('with an External ID: the upsert is not sent again (it would miss the deleted record); the row is marked deleted', async () => {
    const plan = await withClient(h.pool, async (c) =>
      applyMapping(c, await h.salesforce(), {
        connectionId: h.connectionId,
        sobject: 'Account',
        fields: ['Name', 'Ext_Id__c'],
        externalIdField: 'Ext_Id__c',
        deleteMode: 'mark',
        mode: 'read_write',
        streaming: 'off',
        // Only the initial load: a poll reading the record first would settle it another way (an inbound attach or delete).
        pollInterval: '1 day',
      }),
    );
    await startQuiet(plan.mappingId);
    const deleted = loseReplyThenDelete('PATCH');
    await h.pool.query(`insert into salesforce.account (name, ext_id__c) values ('Ext gone', 'EG-1')`);
    const outbox = await waitFor(
      async () => {
        const rows = await settled(plan.mappingId);
        return rows.length === 1 && rows.every((r) => r.state !== 'new' && r.state !== 'claimed') ? rows : undefined;
      },
      { what: 'the upsert to settle', timeoutMs: 30_000 },
    );
    expect(deleted).toHaveLength(1);
    expect(
      outbox.map((r) => r.state),
      JSON.stringify(await h.pool.query('select error from sfsync.outbox').then((r) => r.rows)),
    ).toEqual(['success']);
    const accounts = h.emulator.org.list('Account', true).filter((r) => r.values.Ext_Id__c === 'EG-1');
    expect(
      accounts.filter((r) => !r.isDeleted),
      'no live copy outlived the delete',
    ).toHaveLength(0);
    expect(
      accounts.map((r) => r.id),
      'nothing was created again',
    ).toEqual(deleted);
    expect(outbox[0]!.sfid).toBe(deleted[0]);
    const { rows } = await h.pool.query(`select sfid, isdeleted from salesforce.account where ext_id__c = 'EG-1'`);
    expect(rows, 'the row is marked deleted, as an inbound delete (delete_mode mark) leaves it').toEqual([{ sfid: deleted[0], isdeleted: true }]);
  });
});

describe("a row deleted while its insert's outcome was unknown", () => {
  it('is found in Salesforce and deleted there although the row names its parent as @<id> (the record holds the Id)', async () => {
    const sf = await h.salesforce();
    const map = (sobject: string, fields: string[]) =>
      withClient(h.pool, (c) =>
        applyMapping(c, sf, { connectionId: h.connectionId, sobject, fields, mode: 'read_write', streaming: 'off', pollInterval: '1 day' }),
      );
    const accounts = await map('Account', ['Name']);
    const contacts = await map('Contact', ['LastName', 'AccountId']);
    // Both tables loaded first, by an engine stopped before the scenario: an initial load running after it
    // would copy the record the lost insert made (it is live until the push deletes it), and no poll comes for a day.
    const loader = await h.startEngine();
    for (const mapping of [accounts, contacts])
      await waitFor(async () => (await h.pool.query(`select 1 from sfsync.mappings where id = $1 and state = 'active'`, [mapping.mappingId])).rowCount === 1, {
        what: 'the initial loads',
      });
    await loader.stop();
    h.engines.splice(h.engines.indexOf(loader), 1);
    // The parent is in Salesforce and in its table, as a poll brings it (not captured); the child names it @<id>.
    const accountSfid = h.emulator.org.create('Account', { Name: 'Parent' });
    const parentId = await withClient(h.pool, async (c) => {
      await c.query('begin');
      await c.query(`set local sfsync.origin = 'salesforce'`);
      const { rows } = await c.query<{ id: string }>(`insert into salesforce.account (name, sfid) values ('Parent', $1) returning id::text`, [accountSfid]);
      await c.query('commit');
      return rows[0]!.id;
    });
    const child = await h.pool.query<{ id: string }>(`insert into salesforce.contact (lastname, accountid) values ('Orphaned', $1) returning id::text`, [
      `@${parentId}`,
    ]);
    // A process claims the insert, Salesforce creates the record, and the process dies before the write-back.
    const dying = new pg.Client(h.db.url);
    await dying.connect();
    try {
      const claimed = await dying.query(`select * from sfsync.claim_outbox($1, 'dying', 100)`, [contacts.mappingId]);
      expect(claimed.rows).toHaveLength(1);
      h.emulator.org.create('Contact', { LastName: 'Orphaned', AccountId: accountSfid });
    } finally {
      await dying.end();
    }
    // The app deletes the row meanwhile: the record the lost insert made must go too.
    await h.pool.query(`delete from salesforce.contact where id = $1`, [child.rows[0]!.id]);
    await h.startEngine();
    await waitFor(
      async () => (await h.pool.query(`select 1 from sfsync.outbox_status where mapping_id = $1 and pending > 0`, [contacts.mappingId])).rowCount === 0,
      { what: 'the delete to settle', timeoutMs: 30_000 },
    );
    const records = h.emulator.org.list('Contact', true).filter((r) => r.values.LastName === 'Orphaned');
    expect(records).toHaveLength(1);
    expect(records[0]!.isDeleted, 'the record did not outlive the delete').toBe(true);
    const { rows } = await h.pool.query(`select id from salesforce.contact where lastname = 'Orphaned'`);
    expect(rows).toHaveLength(0);
  });
});
