/**
 * Postgres → Salesforce through the running engine: single-row and
 * 10,000-row INSERT/UPDATE/DELETE statements arrive with the right values,
 * only changed fields are sent, sfsync's own writes leave no outbox row, a
 * validation error lands on its row while the others proceed; with the
 * change feed off (the default) nothing is appended to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: { schema: { validationRules: { Account: [{ name: 'no_bad', errorWhen: "Name = 'Bad'", message: 'Name cannot be Bad', field: 'Name' }] } } },
  });
  const sf = await h.salesforce();
  const plan = await withClient(h.pool, (c) =>
    applyMapping(c, sf, {
      connectionId: h.connectionId,
      sobject: 'Account',
      fields: ['Name', 'Phone', 'AnnualRevenue', 'NumberOfEmployees', 'Description'],
      mode: 'read_write',
      streaming: 'off',
    }),
  );
  mappingId = plan.mappingId;
  await h.startEngine();
});
afterAll(() => h?.stop());

const open = async () => Number((await h.pool.query(`select pending as count from sfsync.outbox_status where mapping_id = $1`, [mappingId])).rows[0].count);
const settled = (what: string, timeoutMs = 30_000) => waitFor(async () => (await open()) === 0, { what, timeoutMs });
const sfRecord = (sfid: string) => h.emulator.org.latest(sfid);

describe('single rows', () => {
  let id: string;
  let sfid: string;

  it('INSERT arrives with its values and the sfid comes back', async () => {
    const { rows } = await h.pool.query(
      `insert into salesforce.account (name, phone, annualrevenue, numberofemployees) values ('Acme "quoted" ünïcode', '555-0100', 1234, 42) returning id`,
    );
    id = rows[0].id;
    const row = await waitFor(
      async () => (await h.pool.query(`select sfid, _sfsync_state from salesforce.account where id = $1 and _sfsync_state = 'synced'`, [id])).rows[0],
      { what: 'the insert to sync' },
    );
    sfid = row.sfid;
    expect(sfRecord(sfid)?.values).toMatchObject({ Name: 'Acme "quoted" ünïcode', Phone: '555-0100', AnnualRevenue: 1234, NumberOfEmployees: 42 });
  });

  it('UPDATE sends only the changed fields', async () => {
    h.emulator.org.write([{ kind: 'update', id: sfid, values: { Name: 'Renamed in Salesforce' } }], { allOrNone: true }, h.emulator.org.systemContext());
    await h.pool.query(`update salesforce.account set phone = '555-0199' where id = $1`, [id]);
    await waitFor(() => sfRecord(sfid)?.values.Phone === '555-0199', { what: 'the phone to arrive' });
    expect(sfRecord(sfid)?.values.Name).toBe('Renamed in Salesforce');
  });

  it("leaves no outbox row for sfsync's own write-backs", async () => {
    await settled('the outbox to drain');
    const { rows } = await h.pool.query(`select op from sfsync.outbox where mapping_id = $1 order by id`, [mappingId]);
    expect(rows.map((r) => r.op)).toEqual(['insert', 'update']);
  });

  it('DELETE deletes the record', async () => {
    await h.pool.query(`delete from salesforce.account where id = $1`, [id]);
    await waitFor(() => sfRecord(sfid)?.isDeleted === true, { what: 'the delete to arrive' });
  });
});

describe('10,000-row statements', () => {
  it('INSERT, UPDATE and DELETE of 10,000 rows arrive', async () => {
    const before = h.emulator.org.list('Account').length;
    await h.pool.query(`insert into salesforce.account (name, numberofemployees) select 'Bulk ' || g, g from generate_series(1, 10000) g`);
    await settled('10,000 inserts', 50_000);
    const { rows } = await h.pool.query(
      `select count(*)::int as n, count(distinct sfid)::int as d from salesforce.account where name like 'Bulk %' and _sfsync_state = 'synced'`,
    );
    expect(rows[0]).toEqual({ n: 10000, d: 10000 });
    expect(h.emulator.org.list('Account').length - before).toBe(10000);

    await h.pool.query(`update salesforce.account set description = 'd' || numberofemployees where name like 'Bulk %'`);
    await settled('10,000 updates', 50_000);
    const sample = (await h.pool.query(`select sfid, numberofemployees from salesforce.account where name = 'Bulk 777'`)).rows[0];
    expect(sfRecord(sample.sfid)?.values.Description).toBe('d777');

    await h.pool.query(`delete from salesforce.account where name like 'Bulk %'`);
    await settled('10,000 deletes', 50_000);
    expect(h.emulator.org.list('Account').length).toBe(before);
  }, 60_000);
});

describe('failures', () => {
  it('a validation error lands on its row while the others proceed', async () => {
    await h.pool.query(`insert into salesforce.account (name) values ('Good 1'), ('Bad'), ('Good 2')`);
    const failed = await waitFor(
      async () => (await h.pool.query(`select _sfsync_error from salesforce.account where name = 'Bad' and _sfsync_state = 'failed'`)).rows[0],
      { what: 'the failure' },
    );
    expect(failed._sfsync_error).toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Name cannot be Bad' });
    await waitFor(
      async () =>
        (await h.pool.query(`select count(*)::int as n from salesforce.account where name like 'Good %' and _sfsync_state = 'synced'`)).rows[0].n === 2,
      { what: 'the good rows' },
    );
    const status = (await h.pool.query(`select pending, failed, last_error from sfsync.outbox_status where mapping_id = $1`, [mappingId])).rows[0];
    expect(status).toMatchObject({ pending: '0', failed: '1' });
    expect(status.last_error).toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });

    await h.pool.query(`update salesforce.account set name = 'Fixed' where name = 'Bad'`);
    await waitFor(async () => (await h.pool.query(`select 1 from salesforce.account where name = 'Fixed' and _sfsync_state = 'synced'`)).rows[0], {
      what: 'the fix to sync',
    });
    const after = (await h.pool.query(`select failed from sfsync.outbox_status where mapping_id = $1`, [mappingId])).rows[0];
    expect(after.failed).toBe('0');
  });
});

describe('the change feed, off by default', () => {
  it('has no entry after all these pushes and write-backs', async () => {
    const { rows } = await h.pool.query<{ n: number }>('select (select count(*) from sfsync.feed_pending) + (select count(*) from sfsync.feed) as n');
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
