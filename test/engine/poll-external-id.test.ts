/**
 * A row inserted in Postgres whose Salesforce Id has not come back yet (the
 * push upserted by External ID but the write-back is still to come) is matched
 * by its External ID when the poll sees the record: it gets its sfid, and no
 * duplicate row appears.
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
});
