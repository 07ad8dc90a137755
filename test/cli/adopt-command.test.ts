/**
 * `sfsync adopt heroku-connect` as a subprocess on the Heroku Connect fixture
 * in a schema of its own (--schema): --plan prints every statement and what
 * the SQL function would do and changes nothing; a Heroku Connect that still
 * writes is refused in one line; without --export the mappings come from the
 * tables' columns checked against describe; a second run changes nothing.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHerokuConnectFixture, herokuConnectExport } from '../../scripts/heroku-connect-fixture.js';
import { createCliWorld, expectOneLineFailure, parseJson, snapshotDatabase, type CliWorld } from './cli-env.js';

let world: CliWorld;
let exportFile: string;

beforeAll(async () => {
  world = await createCliWorld();
  expect((await world.sfsync(['connect'])).code).toBe(0);
  const org = world.emulator.org;
  const accounts = Array.from({ length: 5 }, (_, i) => {
    const sfid = org.create('Account', { Name: `CLI Account ${i}` });
    return { sfid, systemmodstamp: new Date(org.latest(sfid)!.systemModstampMs), values: { name: `CLI Account ${i}` } };
  });
  const contact = org.create('Contact', { LastName: 'Jones' });
  const client = await world.pool.connect();
  try {
    await buildHerokuConnectFixture(client, { schema: 'hc', accounts, contacts: [{ sfid: contact, values: { lastname: 'Jones' } }] });
  } finally {
    client.release();
  }
  exportFile = path.join(world.dir, 'mappings.json');
  await writeFile(exportFile, JSON.stringify(herokuConnectExport()));
});
afterAll(() => world?.close());

describe('sfsync adopt heroku-connect', () => {
  it('--plan prints every statement and what adopting would do, and changes nothing', async () => {
    const before = await snapshotDatabase(world.pool);
    const result = await world.sfsync(['adopt', 'heroku-connect', '--schema', 'hc', '--export', exportFile, '--plan']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('-- Account → hc.account (read_write, mapping');
    expect(result.stdout).toContain(`alter table "hc"."account" add column _sfsync_state text not null default 'synced';`);
    expect(result.stdout).toContain('create trigger "tg_account__hc_status" before insert or update on "hc"."account"');
    expect(result.stdout).toContain(`select * from sfsync.adopt_heroku_connect('hc', p_force => false);`);
    expect(result.stdout).toMatch(
      /-- hc\.account: 2 Heroku Connect trigger\(s\) dropped, 5 unsent log entries moved to the outbox, 1 failed change\(s\) recorded, polling from \S+ with a reconcile queued/,
    );
    // The export's sf_max_daily_api_calls becomes the mapping's own daily cap (no note that it is dropped).
    expect(result.stderr).not.toContain('sf_max_daily_api_calls');
    expect(result.stdout).toContain('30000');
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });

  it('refuses in one line while Heroku Connect says it is active', async () => {
    await world.pool.query(`update hc._hcmeta set details = '{"state": "active"}'`);
    const before = await snapshotDatabase(world.pool);
    expectOneLineFailure(
      await world.sfsync(['adopt', 'heroku-connect', '--schema', 'hc']),
      /Heroku Connect still writes to this database \(hc\._hcmeta says the Heroku Connect connection is active\); pause or remove its connection first, or pass --force\..*\[HEROKU_CONNECT_ACTIVE\]/,
    );
    expect(await snapshotDatabase(world.pool)).toBe(before);
    await world.pool.query(`update hc._hcmeta set details = '{"state": "paused"}'`);
  });

  it('names a schema without Heroku Connect in one line', async () => {
    expectOneLineFailure(
      await world.sfsync(['adopt', 'heroku-connect']),
      /Schema salesforce has no Heroku Connect trigger log.*--schema.*\[HEROKU_CONNECT_NOT_FOUND\]/,
    );
  });

  it('without --export, maps each table from its columns checked against describe', async () => {
    const result = await world.sfsync(['adopt', 'heroku-connect', '--schema', 'hc']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^adopted 2 Heroku Connect table\(s\) in schema hc/);
    const { rows } = await world.pool.query(`select sobject, fields, mode, compat, state from sfsync.mappings order by sobject`);
    expect(rows).toEqual([
      { sobject: 'Account', fields: ['Name', 'Phone', 'NumberOfEmployees', 'Description'], mode: 'read_write', compat: 'heroku-connect', state: 'active' },
      { sobject: 'Contact', fields: ['LastName', 'Email', 'AccountId'], mode: 'read_only', compat: 'heroku-connect', state: 'active' },
    ]);
    expect((await world.pool.query(`select count(*)::int as n from sfsync.outbox where state = 'new'`)).rows[0].n).toBe(5);
  });

  it('a second run changes nothing and says so', async () => {
    const before = await snapshotDatabase(world.pool);
    const json = parseJson<{ changed: boolean; tables: Array<{ moved: number }> }>(await world.sfsync(['adopt', 'heroku-connect', '--schema', 'hc', '--json']));
    expect(json.changed).toBe(false);
    expect(json.tables.map((t) => t.moved)).toEqual([0, 0]);
    const human = await world.sfsync(['adopt', 'heroku-connect', '--schema', 'hc']);
    expect(human.stdout.trim()).toBe('schema hc is already adopted (2 table(s)); nothing changed');
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });

  it('rolls back with the SQL of docs/migrating-from-heroku-connect.md', async () => {
    const doc = readFileSync(new URL('../../docs/migrating-from-heroku-connect.md', import.meta.url), 'utf8');
    const rollback = /## Rolling back[\s\S]*?```sql\n([\s\S]*?)```/.exec(doc)![1]!;
    await world.pool.query(rollback.replaceAll(`'salesforce'`, `'hc'`).replaceAll('salesforce._trigger_log', 'hc._trigger_log'));
    const { rows: triggers } = await world.pool.query(
      `select c.relname || '.' || t.tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'hc' and not t.tgisinternal order by 1`,
    );
    expect(triggers.map((r) => r.name)).toEqual([
      '_trigger_log.tlog_insert_trigger',
      'account.hc_account_logtrigger',
      'account.hc_account_status_trigger',
      'contact.hc_contact_logtrigger',
      'contact.hc_contact_status_trigger',
    ]);
    const { rows: log } = await world.pool.query(
      `select state, count(*)::int as n from hc._trigger_log where state in ('NEW', 'PENDING', 'REQUEUE') group by 1 order by 1`,
    );
    expect(log).toEqual([
      { state: 'NEW', n: 3 },
      { state: 'PENDING', n: 1 },
      { state: 'REQUEUE', n: 1 },
    ]);
    expect((await world.pool.query('select count(*)::int as n from sfsync.mappings')).rows[0].n).toBe(0);
    await world.pool.query(`update hc.account set name = 'after rollback' where id = (select min(id) from hc.account)`);
    const { rows: last } = await world.pool.query(`select state, action from hc._trigger_log order by id desc limit 1`);
    expect(last[0]).toEqual({ state: 'NEW', action: 'UPDATE' });
  });
});
