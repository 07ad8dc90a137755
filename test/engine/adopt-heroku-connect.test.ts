/**
 * `adoptHerokuConnect` on the Heroku Connect fixture (scripts/heroku-connect-fixture.ts)
 * against the emulator: the plan shows every statement and changes nothing;
 * it refuses while Heroku Connect writes; the adoption keeps every row, id and
 * sfid, moves the unsent log entries into the outbox in log order with their
 * values, records the failed one as a failed change with Heroku Connect's
 * message, replaces the triggers, starts polling at the newest
 * systemmodstamp with a reconcile queued; a second run changes nothing; the
 * engine then sends each pending entry once; and the app-visible columns
 * behave as before: a write goes PENDING, then SYNCED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { adoptHerokuConnect, type AdoptOptions } from '../../src/adopt/adopt-heroku-connect.js';
import { parseMappingFile } from '../../src/cli/mapping-file.js';
import { withClient } from '../../src/db/pool.js';
import { SfsyncError } from '../../src/errors.js';
import { buildHerokuConnectFixture, herokuConnectExport, type HerokuConnectFixture } from '../../scripts/heroku-connect-fixture.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

type ChangeEvent = Parameters<Parameters<SyncHarness['emulator']['org']['onChange']>[0]>[0];

let h: SyncHarness;
let fixture: HerokuConnectFixture;
let accountSfids: string[];
const changes: ChangeEvent[] = [];
const exported = parseMappingFile(JSON.stringify(herokuConnectExport()), 'fixture export').mappings;

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: {
      schema: { validationRules: { Account: [{ name: 'digits', errorWhen: "Phone = 'not a phone'", message: 'Phone must be digits', field: 'Phone' }] } },
    },
  });
  const org = h.emulator.org;
  accountSfids = Array.from({ length: 6 }, (_, i) => org.create('Account', { Name: `HC Account ${i}`, Phone: `555-010${i}`, NumberOfEmployees: i + 1 }));
  const contactSfid = org.create('Contact', { LastName: 'Smith', Email: 'smith@example.com', AccountId: accountSfids[0] });
  const stamp = (id: string) => new Date(org.latest(id)!.systemModstampMs);
  const client = new pg.Client(h.db.url);
  await client.connect();
  try {
    fixture = await buildHerokuConnectFixture(client, {
      accounts: accountSfids.map((sfid, i) => ({
        sfid,
        systemmodstamp: stamp(sfid),
        values: { name: `HC Account ${i}`, phone: `555-010${i}`, numberofemployees: i + 1 },
      })),
      contacts: [
        { sfid: contactSfid, systemmodstamp: stamp(contactSfid), values: { lastname: 'Smith', email: 'smith@example.com', accountid: accountSfids[0]! } },
      ],
    });
  } finally {
    await client.end();
  }
  org.onChange((event) => changes.push(event));
});
afterAll(() => h?.stop());

const adopt = async (options: Partial<AdoptOptions> = {}) =>
  withClient(h.pool, async (client) => adoptHerokuConnect(client, await h.salesforce(), { connectionId: h.connectionId, exported, ...options }));
const rows = async (table = 'account') =>
  (await h.pool.query(`select id, sfid, name, phone, _hc_lastop, _hc_err from salesforce.${table} order by id`)).rows as Array<Record<string, unknown>>;
const triggers = async () =>
  (
    await h.pool.query(
      `select c.relname || '.' || t.tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'salesforce' and not t.tgisinternal order by 1`,
    )
  ).rows.map((r) => r.name as string);

describe('before adopting', () => {
  it('--plan prints every statement, reports what the SQL function would do, and changes nothing', async () => {
    const before = { triggers: await triggers(), rows: await rows() };
    const result = await adopt({ planOnly: true });
    const statements = result.plans.flatMap((p) => p.statements);
    expect(statements).toContain(`alter table "salesforce"."account" add column _sfsync_state text not null default 'synced'`);
    expect(statements).toContain(`alter table "salesforce"."account" alter column _sfsync_state set default 'pending'`);
    expect(statements.some((s) => s.startsWith('create trigger "tg_account__capture_update" after update on "salesforce"."account"'))).toBe(true);
    expect(statements.some((s) => s.startsWith('create trigger "tg_account__hc_status" before insert or update on "salesforce"."account"'))).toBe(true);
    expect(statements.some((s) => s.includes("'sfsync:reload'"))).toBe(false);
    expect(result.adoptStatement).toBe(`select * from sfsync.adopt_heroku_connect('salesforce', p_force => false)`);
    expect(result.tables.map((t) => [t.table, t.moved, t.failed, t.droppedTriggers])).toEqual([
      ['account', fixture.unsent.length, 1, 2],
      ['contact', 0, 0, 2],
    ]);
    expect(await triggers()).toEqual(before.triggers);
    expect(await rows()).toEqual(before.rows);
    expect((await h.pool.query('select count(*)::int as n from sfsync.mappings')).rows[0].n).toBe(0);
    expect((await h.pool.query('select count(*)::int as n from sfsync.outbox')).rows[0].n).toBe(0);
  });

  it('loads only the export fields the table has no column for (a backfill), never the whole table', async () => {
    const withWebsite = exported.map((m) => (m.sobject === 'Account' ? { ...m, fields: [...m.fields, 'Website'] } : m));
    const result = await adopt({ exported: withWebsite, planOnly: true });
    const statements = result.plans.flatMap((p) => p.statements);
    expect(statements).toContain('alter table "salesforce"."account" add column "website" varchar(255)');
    const jobs = statements.filter((s) => s.includes("'sfsync:reload'"));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toContain(`"fields":["Website"]`);
  });

  it('refuses with one line while Heroku Connect still processes the log, or _hcmeta says it is active', async () => {
    await h.pool.query(`update salesforce._trigger_log set processed_at = now() where id = (select min(id) from salesforce._trigger_log)`);
    const error = await adopt().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SfsyncError);
    expect((error as SfsyncError).code).toBe('HEROKU_CONNECT_ACTIVE');
    expect((error as Error).message).toMatch(
      /^Heroku Connect still writes to this database \(Heroku Connect processed a trigger log entry of schema salesforce at .*\); pause or remove its connection first, or pass --force\.$/,
    );
    expect((error as Error).message).not.toContain('\n');
    await h.pool.query(`update salesforce._trigger_log set processed_at = now() - interval '1 hour' where processed_at > now() - interval '1 minute'`);
    await h.pool.query(`update salesforce._hcmeta set details = '{"state": "active"}'`);
    await expect(adopt()).rejects.toThrow(
      /salesforce\._hcmeta says the Heroku Connect connection is active\); pause or remove its connection first, or pass --force/,
    );
    // --force goes ahead (here as a plan, so nothing changes yet).
    expect((await adopt({ force: true, planOnly: true })).adoptStatement).toContain('p_force => true');
    await h.pool.query(`update salesforce._hcmeta set details = '{"state": "paused"}'`);
    expect(await triggers()).toContain('account.hc_account_logtrigger');
  });

  it('the SQL function refuses a null schema, a schema without a trigger log, and a Heroku Connect table with no mapping', async () => {
    await expect(h.pool.query('select * from sfsync.adopt_heroku_connect(null)')).rejects.toMatchObject({ code: '22004' });
    await expect(h.pool.query(`select * from sfsync.adopt_heroku_connect('salesforce', p_quiet => '-1 minute')`)).rejects.toMatchObject({ code: '22023' });
    await expect(h.pool.query(`select * from sfsync.adopt_heroku_connect('public')`)).rejects.toMatchObject({
      code: 'P0002',
      message: expect.stringMatching(/^sfsync\.adopt_heroku_connect: schema public has no Heroku Connect trigger log \(_trigger_log\); pass the schema/),
    });
    await expect(h.pool.query(`select * from sfsync.adopt_heroku_connect('salesforce')`)).rejects.toMatchObject({
      code: 'P0002',
      message: expect.stringContaining('salesforce.account has no applied sfsync mapping'),
    });
  });

  it('a user write goes PENDING under Heroku Connect', async () => {
    await h.pool.query(`update salesforce.account set description = 'written before' where sfid = $1`, [accountSfids[5]]);
    expect((await h.pool.query(`select _hc_lastop from salesforce.account where sfid = $1`, [accountSfids[5]])).rows[0]._hc_lastop).toBe('PENDING');
    // HC itself would have sent it; here it is one more unsent entry the adoption carries over.
    fixture.unsent.push({ logId: -1, action: 'UPDATE', recordId: -1, values: { description: 'written before' } });
  });
});

describe('adopting', () => {
  let before: Array<Record<string, unknown>>;
  let accountMapping: string;

  beforeAll(async () => {
    before = await rows();
    const result = await adopt();
    expect(result.changed).toBe(true);
    accountMapping = result.tables.find((t) => t.table === 'account')!.mappingId;
  });

  it("replaces Heroku Connect's triggers with sfsync's and keeps every row, id and sfid", async () => {
    expect(await triggers()).toEqual([
      '_trigger_log.tlog_insert_trigger',
      'account.tg_account__capture_delete',
      'account.tg_account__capture_insert',
      'account.tg_account__capture_update',
      'account.tg_account__hc_status',
      'account.tg_account__keep_id',
      'account.tg_account__truncate',
      'contact.tg_contact__hc_status',
    ]);
    const after = await rows();
    expect(after.map((r) => [r.id, r.sfid])).toEqual(before.map((r) => [r.id, r.sfid]));
    expect(after.map((r) => r._hc_lastop)).toEqual(before.map((r) => r._hc_lastop));
    const { rows: adoptions } = await h.pool.query(`select table_name, cardinality(hc_triggers) as n from sfsync.heroku_connect_adoptions order by 1`);
    expect(adoptions).toEqual([
      { table_name: 'account', n: 2 },
      { table_name: 'contact', n: 2 },
    ]);
  });

  it('moves the unsent entries into the outbox in log order, with their values', async () => {
    const { rows: outbox } = await h.pool.query(
      `select op::text, changed, unknown_since is not null as unknown from sfsync.outbox where mapping_id = $1 and state = 'new' order by id`,
      [accountMapping],
    );
    expect(outbox.map((o) => o.op)).toEqual(fixture.unsent.map((u) => u.action.toLowerCase()));
    expect(outbox[0].changed).toEqual({ NumberOfEmployees: 77 });
    expect(outbox[1].changed).toEqual({ Name: 'Adopted Insert Co', Phone: '555-0142', NumberOfEmployees: 5 });
    expect(outbox[2]).toMatchObject({ changed: { Phone: '555-0101' }, unknown: true });
    expect(outbox[3]).toMatchObject({ changed: { NumberOfEmployees: 12, Description: 'after the switch' }, unknown: false });
    expect(outbox[4].changed).toEqual({});
    const { rows: log } = await h.pool.query(`select distinct state from salesforce._trigger_log where state in ('NEW', 'PENDING', 'REQUEUE')`);
    expect(log).toEqual([]);
  });

  it("records the failed entry as a failed change with Heroku Connect's message", async () => {
    const { rows: failed } = await h.pool.query(`select record_id, op, error_code, error_message, changed from sfsync.failed_changes`);
    expect(failed).toEqual([
      {
        record_id: String(fixture.failed.recordId),
        op: 'update',
        error_code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        error_message: fixture.failed.message,
        changed: { Phone: 'not a phone' },
      },
    ]);
    const { rows: row } = await h.pool.query(`select _sfsync_state, _hc_lastop from salesforce.account where id = $1`, [fixture.failed.recordId]);
    expect(row[0]).toEqual({ _sfsync_state: 'failed', _hc_lastop: 'FAILED' });
  });

  it("starts polling at the table's newest systemmodstamp with a reconcile queued", async () => {
    const { rows: m } = await h.pool.query(
      `select m.table_name, m.state, m.watermark = (select max(systemmodstamp) at time zone 'UTC' from salesforce.account) as at_newest, m.compat
         from sfsync.mappings m order by m.table_name`,
    );
    expect(m[0]).toEqual({ table_name: 'account', state: 'active', at_newest: true, compat: 'heroku-connect' });
    expect(m[1]).toMatchObject({ table_name: 'contact', state: 'active', compat: 'heroku-connect' });
    const { rows: jobs } = await h.pool.query(`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'sfsync:reconcile'`);
    expect(jobs[0].n).toBe(2);
  });

  it('changes nothing when run a second time', async () => {
    const snapshot = async () => ({
      outbox: (await h.pool.query('select id, state from sfsync.outbox order by id')).rows,
      mappings: (await h.pool.query('select id, watermark, updated_at from sfsync.mappings order by id')).rows,
      triggers: await triggers(),
      rows: await rows(),
    });
    const first = await snapshot();
    const again = await adopt();
    expect(again.changed).toBe(false);
    expect(again.tables.map((t) => [t.moved, t.failed, t.droppedTriggers])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(await snapshot()).toEqual(first);
  });
});

describe('after adopting, with the engine running', () => {
  beforeAll(async () => {
    // The export's 10-minute polling (Heroku Connect's default) is kept; a test cannot wait that long.
    await h.pool.query(`update sfsync.mappings set poll_interval = '1 second'`);
    await h.startEngine();
  });

  it('sends each pending entry to Salesforce once, the later value of a record last', async () => {
    await waitFor(async () => (await h.pool.query(`select coalesce(sum(pending), 0)::int as n from sfsync.outbox_status`)).rows[0].n === 0, {
      what: 'the adopted outbox to drain',
      timeoutMs: 30_000,
    });
    const org = h.emulator.org;
    const inserted = org.list('Account').filter((r) => r.values.Name === 'Adopted Insert Co');
    expect(inserted).toHaveLength(1);
    expect(org.latest(accountSfids[0]!)!.values).toMatchObject({ Phone: '555-0101', NumberOfEmployees: 12, Description: 'after the switch' });
    expect(org.latest(accountSfids[3]!)!.values.NumberOfEmployees).toBe(77);
    expect(org.latest(accountSfids[4]!)!.isDeleted).toBe(true);
    expect(org.latest(accountSfids[5]!)!.values.Description).toBe('written before');
    // The failed change waits for `sfsync errors --retry`: not sent.
    expect(org.latest(accountSfids[1]!)!.values.Phone).toBe('555-0101');
    // Never twice: at most one write per entry of a record (a record's entries may be merged into one).
    const perRecord = new Map<string, number>();
    for (const c of changes.filter((e) => e.object === 'Account')) for (const id of c.recordIds) perRecord.set(id, (perRecord.get(id) ?? 0) + 1);
    const entries = new Map([
      [accountSfids[0]!, 2],
      [accountSfids[3]!, 1],
      [accountSfids[4]!, 1],
      [accountSfids[5]!, 1],
      [inserted[0]!.id, 1],
    ]);
    expect([...perRecord.keys()].sort()).toEqual([...entries.keys()].sort());
    for (const [id, n] of perRecord) expect(n).toBeLessThanOrEqual(entries.get(id)!);
  });

  it('keeps the ids and sfids, and the inserted row gets its sfid and goes INSERTED, then SYNCED', async () => {
    const row = await waitFor(
      async () =>
        (await h.pool.query(`select id, sfid, _hc_lastop, _sfsync_state from salesforce.account where name = 'Adopted Insert Co' and sfid is not null`))
          .rows[0],
      { what: 'the inserted row to get its sfid' },
    );
    expect(row.id).toBe(fixture.unsent[1]!.recordId);
    expect(['INSERTED', 'SYNCED']).toContain(row._hc_lastop);
    await waitFor(async () => (await h.pool.query(`select _hc_lastop from salesforce.account where id = $1`, [row.id])).rows[0]._hc_lastop === 'SYNCED', {
      what: 'the next poll to bring the record back (SYNCED)',
      timeoutMs: 20_000,
    });
  });

  it('an app write goes PENDING, then SYNCED, as it did under Heroku Connect', async () => {
    const sfid = accountSfids[2]!;
    await h.pool.query(`update salesforce.account set phone = '555-0222' where sfid = $1`, [sfid]);
    expect((await h.pool.query(`select _hc_lastop from salesforce.account where sfid = $1`, [sfid])).rows[0]._hc_lastop).toBe('PENDING');
    await waitFor(async () => (await h.pool.query(`select _hc_lastop from salesforce.account where sfid = $1`, [sfid])).rows[0]._hc_lastop === 'SYNCED', {
      what: 'the write to be SYNCED',
    });
    expect(h.emulator.org.latest(sfid)!.values.Phone).toBe('555-0222');
  });

  it('a write Salesforce refuses goes FAILED with the JSON error in _hc_err', async () => {
    const sfid = accountSfids[2]!;
    await h.pool.query(`update salesforce.account set phone = 'not a phone' where sfid = $1`, [sfid]);
    const row = await waitFor(
      async () => (await h.pool.query(`select _hc_lastop, _hc_err from salesforce.account where sfid = $1 and _hc_lastop = 'FAILED'`, [sfid])).rows[0],
      { what: 'the write to fail' },
    );
    expect(JSON.parse(row._hc_err)).toMatchObject({ op: 'UPDATE', src: 'SF', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', msg: 'Phone must be digits' });
  });
});
