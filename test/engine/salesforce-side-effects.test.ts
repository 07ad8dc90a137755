/**
 * Changes Salesforce makes on its own that the engine never asked for, as the
 * emulator now reproduces them: deleting an Account deletes its Contacts and
 * Opportunities (each mapping applies its delete mode), a merge deletes the
 * losers and re-parents their children, and a decimal written in Postgres to
 * a scale-0 currency field comes back unchanged.
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let conn: Connection;

beforeAll(async () => {
  h = await startSyncHarness(process.env.SFSYNC_TEST_LOG ? { config: { logLevel: 'debug' } } : {});
  const account = await mapObject(h, { sobject: 'Account', fields: ['Name', 'AnnualRevenue'], mode: 'read_write', deleteMode: 'delete' });
  const contact = await mapObject(h, { sobject: 'Contact', fields: ['LastName', 'AccountId'], deleteMode: 'mark' });
  const opportunity = await mapObject(h, { sobject: 'Opportunity', fields: ['Name', 'AccountId', 'StageName', 'CloseDate'], deleteMode: 'delete' });
  await h.startEngine();
  for (const id of [account, contact, opportunity]) await waitLoaded(h, id);
  conn = await sfConnection(h);
});
afterAll(async () => {
  await h?.stop();
});

async function create(object: string, values: Record<string, unknown>): Promise<string> {
  const result = await conn.sobject(object).create(values);
  if (!result.success) throw new Error(`create ${object} failed`);
  return result.id;
}

describe('Salesforce-side effects', () => {
  it('a cascade delete of an Account removes its Opportunity rows and marks its Contact rows, per each mapping’s delete mode', async () => {
    const account = await create('Account', { Name: 'Cascade parent' });
    const contact = await create('Contact', { LastName: 'Cascade child', AccountId: account });
    const opportunity = await create('Opportunity', { Name: 'Cascade deal', AccountId: account, StageName: 'Prospecting', CloseDate: '2025-06-01' });
    await waitFor(async () => (await rowOf(h, 'contact', contact)) !== undefined && (await rowOf(h, 'opportunity', opportunity)) !== undefined, {
      timeoutMs: 20_000,
      what: 'the children to arrive',
    });
    // Only the Account is deleted; Salesforce takes the children with it.
    await conn.sobject('Account').destroy(account);
    await waitFor(async () => (await rowOf(h, 'account', account)) === undefined && (await rowOf(h, 'opportunity', opportunity)) === undefined, {
      timeoutMs: 20_000,
      what: 'the Account and Opportunity rows to go',
    });
    const marked = await waitFor(async () => ((await rowOf(h, 'contact', contact))?.['isdeleted'] === true ? rowOf(h, 'contact', contact) : undefined), {
      timeoutMs: 20_000,
      what: 'the Contact row to be marked deleted',
    });
    expect(marked?.['accountid']).toBe(account);
  });

  it('a merge leaves one row for the winner, the loser’s children pointing at it, and the loser gone', async () => {
    const winner = await create('Account', { Name: 'Winner' });
    const loser = await create('Account', { Name: 'Loser' });
    const moved = await create('Contact', { LastName: 'Moved', AccountId: loser });
    const deal = await create('Opportunity', { Name: 'Moved deal', AccountId: loser, StageName: 'Prospecting', CloseDate: '2025-06-01' });
    await waitFor(async () => (await rowOf(h, 'contact', moved)) !== undefined && (await rowOf(h, 'opportunity', deal)) !== undefined, {
      timeoutMs: 20_000,
      what: 'the records to arrive',
    });
    const result = (await conn.soap.merge({
      masterRecord: { type: 'Account', Id: winner, Name: 'Winner (merged)' },
      recordToMergeIds: [loser],
    } as never)) as unknown as {
      success: boolean;
    };
    expect(result.success).toBe(true);
    await waitFor(
      async () =>
        (await rowOf(h, 'account', loser)) === undefined &&
        (await rowOf(h, 'account', winner))?.['name'] === 'Winner (merged)' &&
        (await rowOf(h, 'contact', moved))?.['accountid'] === winner &&
        (await rowOf(h, 'opportunity', deal))?.['accountid'] === winner,
      { timeoutMs: 20_000, what: 'the merge to reach Postgres' },
    );
    const { rows } = await h.pool.query(`select sfid from salesforce.account where name like 'Winner%' or name = 'Loser'`);
    expect(rows.map((r: { sfid: string }) => r.sfid)).toEqual([winner]);
    expect((await rowOf(h, 'contact', moved))?.['isdeleted']).toBe(false);
  });

  it('a decimal written in Postgres to a scale-0 currency field round-trips unchanged', async () => {
    const { rows } = await h.pool.query<{ id: string }>(`insert into salesforce.account (name, annualrevenue) values ('Decimal', 7.25) returning id`);
    const id = rows[0]!.id;
    const sfid = await waitFor(
      async () =>
        (await h.pool.query<{ sfid: string | null }>(`select sfid from salesforce.account where id = $1 and _sfsync_state = 'synced'`, [id])).rows[0]?.sfid,
      { timeoutMs: 20_000, what: 'the insert to sync' },
    );
    expect(h.emulator.org.latest(sfid)?.values.AnnualRevenue).toBe(7.25);
    // A Salesforce-side edit brings the whole record back through the poll: the revenue must not come back rounded.
    await conn.sobject('Account').update({ Id: sfid, Name: 'Decimal (edited in Salesforce)' });
    const row = await waitFor(
      async () => ((await rowOf(h, 'account', sfid))?.['name'] === 'Decimal (edited in Salesforce)' ? rowOf(h, 'account', sfid) : undefined),
      {
        timeoutMs: 20_000,
        what: 'the Salesforce edit to arrive',
      },
    );
    expect(Number(row?.['annualrevenue'])).toBe(7.25);
    expect(h.emulator.org.latest(sfid)?.values.AnnualRevenue).toBe(7.25);
  });
});
