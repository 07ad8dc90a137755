/**
 * Lookups to local parents that are not in Salesforce yet, beyond waiting:
 * - a child goes at once by its parent's External ID (relationship form in
 *   sObject Collections, an `Account.Ext_Id__c` column in Bulk), proven by
 *   holding the parent's own push back: every reply to the parent's upsert is
 *   lost (Salesforce commits it, the row never learns its sfid) and the
 *   Account mapping polls once an hour, so only the External ID can link the child;
 * - a child whose parent failed for good fails with PARENT_FAILED, and is
 *   sent by itself once the parent is fixed and retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/pool.js';
import type { SfRow } from '../../src/salesforce/salesforce-client.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let contactMapping: string;

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: { schema: { validationRules: { Account: [{ name: 'NotBad', errorWhen: "Name = 'Bad parent'", message: 'A parent must not be bad' }] } } },
    // Three children in one round go through Bulk API 2.0, one through sObject Collections.
    config: { push: { bulkThreshold: 2 } },
  });
  const account = await mapObject(h, {
    sobject: 'Account',
    fields: ['Name', 'Ext_Id__c'],
    externalIdField: 'Ext_Id__c',
    mode: 'read_write',
    pollInterval: '1 hour',
  });
  contactMapping = await mapObject(h, { sobject: 'Contact', fields: ['LastName', 'AccountId'], mode: 'read_write' });
  await h.startEngine();
  await waitLoaded(h, account);
  await waitLoaded(h, contactMapping);
});
afterAll(() => h?.stop());

const synced = async (table: string, id: string) =>
  (await h.pool.query(`select * from salesforce.${table} where id = $1 and _sfsync_state = 'synced'`, [id])).rows[0];
const rowOf = async (table: string, id: string) => (await h.pool.query(`select * from salesforce.${table} where id = $1`, [id])).rows[0];

/** Every reply to an Account upsert (Collections PATCH) is lost from now on; the upserts still commit. */
function loseParentReplies(): void {
  h.emulator.org.setControls({ lostResponses: { next: 1_000_000, method: 'PATCH', pathPrefix: '/services/data/v59.0/composite/sobjects/Account' } });
}
function keepReplies(): void {
  h.emulator.org.setControls({ lostResponses: { rate: 0, next: 0 } });
}

/** Insert one parent with an External ID and `children` contacts pointing at it, in one transaction. */
async function parentWithChildren(ext: string, name: string, children: string[]): Promise<{ parentId: string; childIds: string[] }> {
  return withTransaction(h.pool, async (c) => {
    const parent = await c.query<{ id: string }>('insert into salesforce.account (name, ext_id__c) values ($1, $2) returning id::text', [name, ext]);
    const parentId = parent.rows[0]!.id;
    const kids = await c.query<{ id: string }>(
      `insert into salesforce.contact (lastname, accountid) select n, '@' || $2 from unnest($1::text[]) n returning id::text`,
      [children, parentId],
    );
    return { parentId, childIds: kids.rows.map((r) => r.id) };
  });
}

function sfAccountByExtId(ext: string): string {
  const [record] = h.emulator.org.findByExternalId('Account', 'Ext_Id__c', ext);
  expect(record, `an Account with Ext_Id__c ${ext} in Salesforce`).toBeDefined();
  return record!.id;
}

describe("a child of a parent not yet in Salesforce goes by the parent's External ID", () => {
  it('sObject Collections: linked while the parent row has no sfid; then the poll brings the sfid, with no conflict and no echo', async () => {
    loseParentReplies();
    try {
      const { parentId, childIds } = await parentWithChildren('EXT-1', 'Ext parent', ['Ext child']);
      const child = await waitFor(() => synced('contact', childIds[0]!), { what: 'the child to sync by External ID', timeoutMs: 20_000 });
      const parentSfid = sfAccountByExtId('EXT-1');
      expect(h.emulator.org.latest(child.sfid)?.values.AccountId).toBe(parentSfid);
      expect((await rowOf('account', parentId)).sfid).toBeNull();
      expect([`@${parentId}`, parentSfid]).toContain(child.accountid);
    } finally {
      keepReplies();
    }
    const { rows } = await h.pool.query<{ id: string; accountid: string }>(`select id::text, accountid from salesforce.contact where lastname = 'Ext child'`);
    const childId = rows[0]!.id;
    const parent = await waitFor(
      async () => (await h.pool.query(`select * from salesforce.account where ext_id__c = 'EXT-1' and _sfsync_state = 'synced'`)).rows[0],
      { what: 'the parent to sync once replies come back' },
    );
    expect(parent.sfid).toBe(sfAccountByExtId('EXT-1'));
    // The Contact mapping polls every second: Salesforce's AccountId replaces `@<id>`.
    await waitFor(async () => (await rowOf('contact', childId)).accountid === parent.sfid, { what: "the child's column to hold the parent's sfid" });
    const outbox = await h.pool.query(`select state from sfsync.outbox where mapping_id = $1 and record_id = $2`, [contactMapping, childId]);
    expect(outbox.rows).toEqual([{ state: 'success' }]);
    expect((await h.pool.query('select count(*)::int as n from sfsync.conflicts where mapping_id = $1', [contactMapping])).rows[0].n).toBe(0);
    expect((await rowOf('contact', childId))._sfsync_state).toBe('synced');
  });

  it('Bulk API 2.0: three children sent with an Account.Ext_Id__c column, linked while the parent row has no sfid', async () => {
    loseParentReplies();
    try {
      const { parentId, childIds } = await parentWithChildren('EXT-2', 'Bulk parent', ['Bulk 1', 'Bulk 2', 'Bulk 3']);
      const children = await waitFor(
        async () => {
          const all = await Promise.all(childIds.map((id) => synced('contact', id)));
          return all.every(Boolean) ? all : undefined;
        },
        { what: 'the three children to sync', timeoutMs: 30_000 },
      );
      const parentSfid = sfAccountByExtId('EXT-2');
      expect(children.map((c) => h.emulator.org.latest(c.sfid)?.values.AccountId)).toEqual([parentSfid, parentSfid, parentSfid]);
      expect((await rowOf('account', parentId)).sfid).toBeNull();
      const conn = await sfConnection(h);
      const jobs = await conn.request<{ records: SfRow[] }>('/services/data/v59.0/jobs/ingest');
      expect(jobs.records.filter((j) => j.object === 'Contact' && j.operation === 'insert' && j.state === 'JobComplete')).not.toHaveLength(0);
    } finally {
      keepReplies();
    }
  });

  it('Salesforce not finding the parent (its mapping is paused) makes the child wait and retry, never fail, until the parent arrives', async () => {
    await h.pool.query(`select * from sfsync.pause('Account')`);
    let childId: string;
    try {
      const { childIds } = await parentWithChildren('EXT-3', 'Paused parent', ['Patient child']);
      childId = childIds[0]!;
      const waiting = await waitFor(
        async () =>
          (
            await h.pool.query(`select state, attempts, error from sfsync.outbox where mapping_id = $1 and record_id = $2 and attempts >= 2`, [
              contactMapping,
              childId,
            ])
          ).rows[0],
        { what: 'the child to retry twice', timeoutMs: 20_000 },
      );
      expect(waiting.state).toBe('new');
      expect(waiting.error.code).toBe('WAITING_FOR_PARENT');
      expect(waiting.error.message).toContain('sent as Account.Ext_Id__c = EXT-3');
      expect(waiting.error.message).toContain('Foreign key external ID: EXT-3 not found for field Ext_Id__c in entity Account');
      expect(h.emulator.org.findByExternalId('Account', 'Ext_Id__c', 'EXT-3')).toEqual([]);
    } finally {
      await h.pool.query(`select * from sfsync.resume('Account')`);
    }
    const child = await waitFor(() => synced('contact', childId), { what: 'the child to follow its resumed parent', timeoutMs: 20_000 });
    expect(h.emulator.org.latest(child.sfid)?.values.AccountId).toBe(sfAccountByExtId('EXT-3'));
    expect(
      (
        await h.pool.query(`select count(*)::int as n from sfsync.outbox where mapping_id = $1 and record_id = $2 and state = 'failed'`, [
          contactMapping,
          childId,
        ])
      ).rows[0].n,
    ).toBe(0);
  });
});

describe('a child of a parent that failed for good', () => {
  it('fails with PARENT_FAILED naming the parent, and reaches Salesforce by itself once the parent is fixed and retried', async () => {
    const { parentId, childIds } = await parentWithChildren('EXT-BAD', 'Bad parent', ['Orphan child']);
    const childId = childIds[0]!;
    const parentFailure = await waitFor(
      async () =>
        (await h.pool.query(`select id::text, error_code from sfsync.failed_changes where sobject = 'Account' and record_id = $1`, [parentId])).rows[0],
      { what: 'the parent to fail' },
    );
    expect(parentFailure.error_code).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    const childFailure = await waitFor(
      async () =>
        (
          await h.pool.query(`select error_code, error_message, error from sfsync.failed_changes where mapping_id = $1 and record_id = $2`, [
            contactMapping,
            childId,
          ])
        ).rows[0],
      { what: 'the child to fail', timeoutMs: 20_000 },
    );
    expect(childFailure.error_code).toBe('PARENT_FAILED');
    expect(childFailure.error_message).toContain(`AccountId = @${parentId}: the Account row ${parentId} (salesforce.account) is not in Salesforce`);
    expect(childFailure.error_message).toContain(`sfsync errors retry --id ${parentFailure.id}`);
    expect(childFailure.error_message).not.toContain('\n');
    expect((await rowOf('contact', childId))._sfsync_state).toBe('failed');
    expect(h.emulator.org.list('Contact').some((r) => r.values.LastName === 'Orphan child')).toBe(false);

    // The operator fixes and retries the parent only.
    await withTransaction(h.pool, async (c) => {
      await c.query(`update salesforce.account set name = 'Fixed parent' where id = $1`, [parentId]);
      await c.query('select sfsync.retry_failed(null, array[$1::bigint])', [parentFailure.id]);
    });
    const parent = await waitFor(() => synced('account', parentId), { what: 'the fixed parent to sync' });
    const child = await waitFor(() => synced('contact', childId), { what: 'the child to follow its parent', timeoutMs: 20_000 });
    expect(h.emulator.org.latest(child.sfid)?.values.AccountId).toBe(parent.sfid);
    expect(child.accountid).toBe(parent.sfid);
    const left = await h.pool.query(`select state from sfsync.outbox where mapping_id = $1 and record_id = $2 and state in ('failed', 'new', 'claimed')`, [
      contactMapping,
      childId,
    ]);
    expect(left.rows).toEqual([]);
  });
});
