/**
 * Lookups to local parents not yet in Salesforce: a reference column holding
 * `@<local id>` waits for that parent row's sfid and is sent with it; the
 * child's column then holds the parent's sfid. A parent row that does not
 * exist fails the child (PARENT_NOT_FOUND) without blocking others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;

beforeAll(async () => {
  h = await startSyncHarness();
  const sf = await h.salesforce();
  await withClient(h.pool, async (c) => {
    await applyMapping(c, sf, { connectionId: h.connectionId, sobject: 'Account', fields: ['Name', 'ParentId'], mode: 'read_write', streaming: 'off' });
    await applyMapping(c, sf, { connectionId: h.connectionId, sobject: 'Contact', fields: ['LastName', 'AccountId'], mode: 'read_write', streaming: 'off' });
  });
  await h.startEngine();
  // Rows written while a mapping's initial load downloads can be removed by its merge
  // (a pushed row has an sfid but no SystemModstamp yet): start from loaded mappings.
  await waitFor(
    async () =>
      (
        await h.pool.query(
          `select count(*) filter (where state = 'active') = 2 and not exists (select 1 from graphile_worker.jobs where task_identifier = 'sfsync:reload') as ok from sfsync.mappings`,
        )
      ).rows[0].ok,
    { what: 'the initial loads' },
  );
});
afterAll(() => h?.stop());

const synced = async (table: string, id: string) =>
  (await h.pool.query(`select * from salesforce.${table} where id = $1 and _sfsync_state = 'synced'`, [id])).rows[0];

describe('references to local parents', () => {
  it('a parent and its child inserted in one transaction both arrive, the child linked to the parent', async () => {
    const { rows } = await h.pool.query(
      `with p as (insert into salesforce.account (name) values ('Ref parent') returning id)
       insert into salesforce.contact (lastname, accountid) select 'Ref child', '@' || p.id from p returning id, accountid`,
    );
    const parentId = String(rows[0].accountid).slice(1);
    const child = await waitFor(() => synced('contact', rows[0].id), { what: 'the child to sync' });
    const parent = await synced('account', parentId);
    expect(parent?.sfid).toMatch(/^001/);
    expect(h.emulator.org.latest(child.sfid)?.values.AccountId).toBe(parent.sfid);
    expect(child.accountid).toBe(parent.sfid);
  });

  it('a lookup to a row of the same table waits a round for it', async () => {
    const { rows } = await h.pool.query(
      `with p as (insert into salesforce.account (name) values ('Self parent') returning id)
       insert into salesforce.account (name, parentid) select 'Self child', '@' || p.id from p returning id, parentid`,
    );
    const child = await waitFor(() => synced('account', rows[0].id), { what: 'the child account to sync' });
    const parent = await synced('account', String(rows[0].parentid).slice(1));
    expect(h.emulator.org.latest(child.sfid)?.values.ParentId).toBe(parent.sfid);
  });

  it('a missing parent fails the child with PARENT_NOT_FOUND; the others proceed', async () => {
    const { rows } = await h.pool.query(`insert into salesforce.contact (lastname, accountid) values ('Orphan', '@999999'), ('Free', null) returning id`);
    const failed = await waitFor(
      async () => (await h.pool.query(`select state, error from sfsync.outbox where record_id = $1 and state = 'failed'`, [rows[0].id])).rows[0],
      { what: 'the orphan to fail' },
    );
    expect(failed.error).toMatchObject({ code: 'PARENT_NOT_FOUND' });
    await waitFor(() => synced('contact', rows[1].id), { what: 'the other contact to sync' });
  });
});
