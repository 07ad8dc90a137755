/**
 * compat 'heroku-connect' on a new mapping: the table gets Heroku Connect's
 * `_hc_lastop` and `_hc_err`, kept with its meanings by a BEFORE trigger that
 * only such mappings have (a mapping without it is planned exactly as before:
 * test/engine/mapping-plan.test.ts). An app insert goes PENDING, INSERTED,
 * then SYNCED; an update PENDING, then SYNCED; a refused write FAILED with
 * the JSON error; a write of no synced column leaves it alone. The SQL form
 * (a mappings row with compat) gets the same; removing the mapping drops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping, removeMapping } from '../../src/mapping/apply-mapping.js';
import type { MappingSpecInput } from '../../src/mapping/mapping-spec.js';
import { planMapping } from '../../src/mapping/plan-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;
let mappingId: string;
const spec = (): MappingSpecInput => ({
  connectionId: h.connectionId,
  sobject: 'Account',
  fields: ['Name', 'Phone'],
  mode: 'read_write',
  streaming: 'off',
  pollInterval: '1 second',
  compat: 'heroku-connect',
});

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: {
      schema: { validationRules: { Account: [{ name: 'digits', errorWhen: "Phone = 'not a phone'", message: 'Phone must be digits', field: 'Phone' }] } },
    },
  });
  h.emulator.org.create('Contact', { LastName: 'Loaded' });
});
afterAll(() => h?.stop());

const lastop = async (id: string) => (await h.pool.query(`select _hc_lastop, _hc_err from salesforce.account where id = $1`, [id])).rows[0];
const becomes = (id: string, value: string, what: string) =>
  waitFor(async () => (await lastop(id))._hc_lastop === value, { what: `${what} (_hc_lastop ${value})`, timeoutMs: 20_000 });

describe('a new mapping with compat heroku-connect', () => {
  it('plans the two columns and the compat trigger, comparing only the synced columns', async () => {
    const plan = await withClient(h.pool, async (c) => planMapping(c, await h.salesforce(), spec()));
    expect(plan.statements).toContain('alter table "salesforce"."account" add column "_hc_lastop" varchar(32)');
    expect(plan.statements).toContain('alter table "salesforce"."account" add column "_hc_err" text');
    const compat = plan.statements.find((s) => s.startsWith('create or replace function "salesforce"."tg_account__hc_status"()'));
    expect(compat).toContain(`if TG_OP = 'INSERT' or (NEW."name", NEW."phone") is distinct from (OLD."name", OLD."phone") then`);
    expect(plan.statements).toContain(
      'create trigger "tg_account__hc_status" before insert or update on "salesforce"."account"\n  for each row execute function "salesforce"."tg_account__hc_status"()',
    );
    const without = await withClient(h.pool, async (c) => planMapping(c, await h.salesforce(), { ...spec(), compat: undefined }));
    expect(without.statements.join('\n')).not.toMatch(/_hc_|hc_status/);
  });

  it('applies, and an app insert goes PENDING, then INSERTED, then SYNCED', async () => {
    mappingId = (await withClient(h.pool, async (c) => applyMapping(c, await h.salesforce(), spec()))).mappingId;
    await h.startEngine();
    const { rows } = await h.pool.query(`insert into salesforce.account (name, phone) values ('Compat Co', '555-0300') returning id, _hc_lastop`);
    expect(rows[0]._hc_lastop).toBe('PENDING');
    const id = rows[0].id as string;
    await waitFor(async () => ['INSERTED', 'SYNCED'].includes((await lastop(id))._hc_lastop), { what: 'the insert to be sent' });
    await becomes(id, 'SYNCED', 'the next poll to bring the record back');
  });

  it('an update goes PENDING, then SYNCED; a write of no synced column leaves it alone', async () => {
    const { rows } = await h.pool.query(`update salesforce.account set phone = '555-0301' where name = 'Compat Co' returning id, _hc_lastop`);
    expect(rows[0]._hc_lastop).toBe('PENDING');
    const id = rows[0].id as string;
    await becomes(id, 'SYNCED', 'the update to be sent');
    await h.pool.query(`update salesforce.account set _sfsync_error = null where id = $1`, [id]);
    expect((await lastop(id))._hc_lastop).toBe('SYNCED');
  });

  it('a refused write goes FAILED with the JSON error', async () => {
    const { rows } = await h.pool.query(`update salesforce.account set phone = 'not a phone' where name = 'Compat Co' returning id`);
    const id = rows[0].id as string;
    await becomes(id, 'FAILED', 'the write to fail');
    expect(JSON.parse((await lastop(id))._hc_err)).toEqual({ op: 'UPDATE', src: 'SF', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', msg: 'Phone must be digits' });
  });
});

describe('the SQL form', () => {
  it('a mappings row with compat gets the columns, and loaded rows are SYNCED', async () => {
    await h.pool.query(
      `insert into sfsync.mappings (connection_id, sobject, table_name, fields, mode, compat, poll_interval) values ($1, 'Contact', 'contact', '{LastName}', 'read_only', 'heroku-connect', '1 second')`,
      [h.connectionId],
    );
    const row = await waitFor(async () => (await h.pool.query(`select lastname, _hc_lastop from salesforce.contact`).catch(() => ({ rows: [] }))).rows[0], {
      what: 'the Contact request to be applied and loaded',
      timeoutMs: 20_000,
    });
    expect(row).toEqual({ lastname: 'Loaded', _hc_lastop: 'SYNCED' });
  });

  it('removing a mapping drops the compat trigger and its function', async () => {
    await h.engine!.stop();
    h.engines.length = 0;
    expect(await withClient(h.pool, (c) => removeMapping(c, mappingId))).toBe(true);
    const { rows } = await h.pool.query(
      `select (select count(*)::int from pg_trigger where tgname = 'tg_account__hc_status') as triggers,
              (select count(*)::int from pg_proc where proname = 'tg_account__hc_status') as functions`,
    );
    expect(rows[0]).toEqual({ triggers: 0, functions: 0 });
  });
});
