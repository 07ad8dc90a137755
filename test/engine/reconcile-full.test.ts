/**
 * Reconciliation fixes what polls cannot see: a row missing from the table, a
 * stale row, a record hard-deleted in Salesforce (extra row), and a formula
 * field whose value changed without moving SystemModstamp.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;
const ids: string[] = [];
let accountId: string;

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: { schema: { fields: { Contact: [{ name: 'Acct_Name__c', type: 'string', length: 255, formula: 'Account.Name' }] } } },
  });
  const conn = await sfConnection(h);
  accountId = ((await conn.sobject('Account').create({ Name: 'Parent' })) as { id: string }).id;
  for (let i = 0; i < 4; i++) ids.push(((await conn.sobject('Contact').create({ LastName: `C${i}`, AccountId: accountId })) as { id: string }).id);
  // No polls or drift re-polls after the load: one that read record 3 before its hard delete and applied it after the
  // test backdated its row would stamp it fresh again, and the reconcile rightly keeps a row stamped after its snapshot.
  mappingId = await mapObject(h, { sobject: 'Contact', fields: ['LastName', 'AccountId', 'Acct_Name__c'], pollInterval: '1 hour', driftDelay: '1 hour' });
  await h.startEngine();
  await waitLoaded(h, mappingId);
});
afterAll(async () => {
  await h?.stop();
});

describe('reconcile', () => {
  it('fixes missing, stale and extra rows and refreshes formula fields', async () => {
    expect((await rowOf(h, 'contact', ids[0]!))?.['acct_name__c']).toBe('Parent');
    const conn = await sfConnection(h);
    await conn.sobject('Account').update({ Id: accountId, Name: 'Renamed parent' });
    await h.pool.query("select set_config('sfsync.origin', 'salesforce', false)");
    await h.pool.query('delete from salesforce.contact where sfid = $1', [ids[1]]);
    await h.pool.query("update salesforce.contact set lastname = 'stale', systemmodstamp = systemmodstamp - interval '1 day' where sfid = $1", [ids[2]]);
    h.emulator.org.write([{ kind: 'hardDelete', id: ids[3]! }], { allOrNone: true }, h.emulator.org.systemContext());
    // Synced long ago (a row stamped within the last second could be newer than the snapshot).
    await h.pool.query("update salesforce.contact set systemmodstamp = systemmodstamp - interval '1 day' where sfid = $1", [ids[3]]);
    await h.pool.query('select sfsync.request_reconcile($1)', [mappingId]);
    const window = await waitFor(
      async () => {
        const { rows } = await h.pool.query("select * from sfsync.poll_windows where mapping_id = $1 and kind = 'reconcile' and outcome = 'succeeded'", [
          mappingId,
        ]);
        return rows[0];
      },
      { timeoutMs: 15_000, what: 'the reconcile window' },
    );
    expect(window.records_seen).toBe(3);
    expect((await rowOf(h, 'contact', ids[0]!))?.['acct_name__c']).toBe('Renamed parent');
    expect((await rowOf(h, 'contact', ids[1]!))?.['lastname']).toBe('C1');
    expect((await rowOf(h, 'contact', ids[2]!))?.['lastname']).toBe('C2');
    expect(await rowOf(h, 'contact', ids[3]!)).toBeUndefined();
  });
});
