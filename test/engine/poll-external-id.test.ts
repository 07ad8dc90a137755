/**
 * A row inserted in Postgres whose Salesforce Id has not come back yet (the
 * push upserted by External ID but the write-back is still to come) is matched
 * by its External ID when the poll sees the record: it gets its sfid, and no
 * duplicate row appears. The conflict rules weigh the row's unsent values
 * against the record's: attached after them, the row took Salesforce's values
 * and was marked synced while its insert, still carrying the app's values,
 * went on to overwrite Salesforce, whatever the policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollScheduler } from '../../src/engine/poll-scheduler.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;

beforeAll(async () => {
  // The emulator's Account has an External ID field Ext_Id__c.
  h = await startSyncHarness();
  const mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Ext_Id__c'], mode: 'read_write', externalIdField: 'Ext_Id__c' });
  // Polls only: the Postgres insert stays unpushed, as if its write-back were still to come.
  await h.startEngine({ components: [pollScheduler] });
  await waitLoaded(h, mappingId);
});
afterAll(async () => {
  await h?.stop();
});

describe('External ID fallback', () => {
  it('attaches the sfid to the Postgres row instead of inserting a duplicate', async () => {
    const { rows } = await h.pool.query<{ id: string }>(
      "insert into salesforce.account (name, ext_id__c) values ('From Postgres', 'EXT-1') returning id::text",
    );
    const conn = await sfConnection(h);
    const { id: sfid } = (await conn.sobject('Account').create({ Name: 'From Postgres', Ext_Id__c: 'EXT-1' })) as { id: string };
    await waitFor(async () => (await h.pool.query('select 1 from salesforce.account where id = $1 and sfid = $2', [rows[0]!.id, sfid])).rowCount === 1, {
      what: 'the sfid by External ID',
    });
    const { rows: all } = await h.pool.query("select count(*)::int as n from salesforce.account where ext_id__c = 'EXT-1'");
    expect(all[0].n).toBe(1);
  });

  it("weighs the attached row's unsent values by the policy: Salesforce wins, the insert no longer carries the field, the decision is recorded", async () => {
    const { rows } = await h.pool.query<{ id: string }>("insert into salesforce.account (name, ext_id__c) values ('Local name', 'EXT-2') returning id::text");
    const rowId = rows[0]!.id;
    const conn = await sfConnection(h);
    const { id: sfid } = (await conn.sobject('Account').create({ Name: 'Salesforce name', Ext_Id__c: 'EXT-2' })) as { id: string };
    await waitFor(async () => (await h.pool.query('select 1 from salesforce.account where id = $1 and sfid = $2', [rowId, sfid])).rowCount === 1, {
      what: 'the sfid by External ID',
    });
    const { rows: row } = await h.pool.query('select name, _sfsync_state as state from salesforce.account where id = $1', [rowId]);
    // salesforce_wins (the default): the table holds Salesforce's name; the insert is still to be sent, so the row is not synced yet.
    expect(row[0]).toEqual({ name: 'Salesforce name', state: 'pending' });
    const { rows: decisions } = await h.pool.query('select field, pg_value, sf_value, decision from sfsync.conflicts where sfid = $1', [sfid]);
    expect(decisions).toEqual([{ field: 'Name', pg_value: 'Local name', sf_value: 'Salesforce name', decision: 'salesforce' }]);
    const { rows: open } = await h.pool.query<{ changed: Record<string, unknown> }>(
      "select changed from sfsync.outbox where record_id = $1 and state in ('new', 'claimed')",
      [rowId],
    );
    expect(open).toHaveLength(1);
    expect(Object.keys(open[0]!.changed).map((k) => k.toLowerCase())).not.toContain('name');
  });
});
