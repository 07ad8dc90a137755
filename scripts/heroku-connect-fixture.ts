/**
 * A Heroku Connect-shaped schema, built from Heroku Connect's documented
 * design (its Dev Center articles on database tables and the trigger log, and
 * the schema seen in projects that use it), for `sfsync adopt heroku-connect`
 * tests and trials:
 * - per table: `id serial` primary key, `sfid varchar(18)` with a unique
 *   index, `systemmodstamp` (indexed), `isdeleted`, `createddate`, the mapped
 *   columns, `_hc_lastop varchar(32)` and `_hc_err text`;
 * - `_trigger_log` and `_trigger_log_archive` with their columns and indexes,
 *   `old` and `values` holding hstore text, and a trigger on the log that
 *   notifies `<schema>.hc_trigger_log`;
 * - per table a logger trigger (state `NEW` for read_write, `READONLY` for
 *   read_only) that skips sessions with `xmlbinary = 'hex'` (Heroku Connect's
 *   own), and a status trigger that sets `_hc_lastop` (PENDING for a user
 *   write, SYNCED for Heroku Connect's);
 * - `_hcmeta`, and a history in which the log holds entries in every state;
 * - the mapping export JSON (`herokuConnectExport`).
 *
 *   npx tsx scripts/heroku-connect-fixture.ts <database-url> [--schema salesforce] [--export mappings.json]
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { escapeIdentifier: ident, escapeLiteral: lit } = pg;

/** A column of a fixture table: the Postgres column and the Salesforce field it mirrors. */
interface FixtureColumn {
  column: string;
  field: string;
  type: string;
}

/** A fixture table: one Salesforce object. */
interface FixtureTable {
  sobject: string;
  table: string;
  access: 'read_only' | 'read_write';
  columns: FixtureColumn[];
}

/** The two mapped objects: Account read_write, Contact read_only. */
export const FIXTURE_TABLES: FixtureTable[] = [
  {
    sobject: 'Account',
    table: 'account',
    access: 'read_write',
    columns: [
      { column: 'name', field: 'Name', type: 'varchar(255)' },
      { column: 'phone', field: 'Phone', type: 'varchar(40)' },
      { column: 'numberofemployees', field: 'NumberOfEmployees', type: 'integer' },
      { column: 'description', field: 'Description', type: 'text' },
    ],
  },
  {
    sobject: 'Contact',
    table: 'contact',
    access: 'read_only',
    columns: [
      { column: 'lastname', field: 'LastName', type: 'varchar(80)' },
      { column: 'email', field: 'Email', type: 'varchar(80)' },
      { column: 'accountid', field: 'AccountId', type: 'varchar(18)' },
    ],
  },
];

/** A record Heroku Connect loaded: its Salesforce Id and column values. */
export interface FixtureRecord {
  sfid: string;
  values: Record<string, string | number | null>;
  /** SystemModstamp (UTC); default: a minute before now. */
  systemmodstamp?: Date;
}

/** Options of {@link buildHerokuConnectFixture}. */
export interface HerokuConnectFixtureOptions {
  /** Schema of the Heroku Connect tables (default `salesforce`). */
  schema?: string;
  /** Accounts Heroku Connect had loaded: at least 5 (the history writes to the first five). */
  accounts: FixtureRecord[];
  /** Contacts Heroku Connect had loaded. */
  contacts: FixtureRecord[];
  /** When Heroku Connect last processed a log entry (default: an hour ago, so it is not writing). */
  lastProcessedAt?: Date;
  /** What the `_hcmeta` row's details say (default `paused`). */
  hcmetaState?: 'active' | 'paused';
}

/** What the fixture holds, for tests to assert against. */
export interface HerokuConnectFixture {
  schema: string;
  /** Table ids of the accounts, in the order given. */
  accountIds: number[];
  /** The unsent entries (NEW, PENDING, REQUEUE) in log order: action, record id and the values sent. */
  unsent: Array<{ logId: number; action: string; recordId: number; values: Record<string, string> }>;
  /** The FAILED entry with no later success: its record and message. */
  failed: { logId: number; recordId: number; message: string };
  /** Log states present in `_trigger_log` and `_trigger_log_archive` together. */
  states: string[];
}

/** Every state Heroku Connect's trigger log uses. */
export const TRIGGER_LOG_STATES = ['NEW', 'PENDING', 'SUCCESS', 'FAILED', 'IGNORE', 'IGNORED', 'MERGED', 'READONLY', 'REQUEUE', 'REQUEUED'];

/** The DDL of the schema (deterministic; no rows). */
export function herokuConnectDdl(schema = 'salesforce'): string[] {
  const s = ident(schema);
  const logColumns = `txid bigint, created_at timestamptz default now(), updated_at timestamptz default now(), processed_at timestamptz,
    processed_tx bigint, state varchar(8), action varchar(7), table_name varchar(128), record_id integer, sfid varchar(18),
    old text, values text, sf_result integer, sf_message text`;
  const out = [
    'create extension if not exists hstore',
    // Heroku Connect's sessions set xmlbinary to hex; every other session has the default, base64.
    `create or replace function public.get_xmlbinary() returns varchar language sql stable as $$ select current_setting('xmlbinary') $$`,
    `create schema ${s}`,
    `create table ${s}._hcmeta (id serial primary key, hcver integer, org_id varchar(50), details text)`,
    `create table ${s}._trigger_log (id serial primary key, ${logColumns})`,
    `create table ${s}._trigger_log_archive (id integer primary key, ${logColumns})`,
    `create index _trigger_log_idx_created_at on ${s}._trigger_log (created_at)`,
    `create index _trigger_log_idx_state_id on ${s}._trigger_log (state, id)`,
    `create index _trigger_log_idx_state_table_name on ${s}._trigger_log (state, table_name) where state in ('NEW', 'PENDING')`,
    `create index _trigger_log_archive_idx_created_at on ${s}._trigger_log_archive (created_at)`,
    `create index _trigger_log_archive_idx_record_id on ${s}._trigger_log_archive (record_id)`,
    `create index _trigger_log_archive_idx_state_table_name on ${s}._trigger_log_archive (state, table_name) where state = 'FAILED'`,
    `create function ${s}.tlog_notify_trigger() returns trigger language plpgsql as $$
begin
  perform pg_notify(${lit(`${schema}.hc_trigger_log`)}, 'ping');
  return new;
end $$`,
    `create trigger tlog_insert_trigger after insert on ${s}._trigger_log for each row execute function ${s}.tlog_notify_trigger()`,
  ];
  for (const t of FIXTURE_TABLES) out.push(...tableDdl(schema, t));
  return out;
}

function tableDdl(schema: string, t: FixtureTable): string[] {
  const s = ident(schema);
  const table = `${s}.${ident(t.table)}`;
  const columns = t.columns.map((c) => `${ident(c.column)} ${c.type}`).join(', ');
  const logger = ident(`hc_${t.table}_logger`);
  const status = ident(`hc_${t.table}_status`);
  return [
    `create table ${table} (id serial primary key, createddate timestamp, isdeleted boolean, systemmodstamp timestamp, ${columns},
      sfid varchar(18) collate "ucs_basic", _hc_lastop varchar(32), _hc_err text)`,
    `create unique index ${ident(`hcu_idx_${t.table}_sfid`)} on ${table} (sfid)`,
    `create index ${ident(`hc_idx_${t.table}_systemmodstamp`)} on ${table} (systemmodstamp)`,
    // The logger: every column as hstore text, less the two status columns; an UPDATE logs only what changed.
    `create function ${s}.${logger}() returns trigger language plpgsql as $$
declare
  entry ${s}._trigger_log;
  skip text[] := array['_hc_lastop', '_hc_err'];
begin
  entry := row();
  entry.id := nextval(${lit(`${ident(schema)}._trigger_log_id_seq`)});
  entry.action := TG_OP;
  entry.table_name := TG_TABLE_NAME;
  entry.txid := txid_current();
  entry.created_at := clock_timestamp();
  entry.state := ${lit(t.access === 'read_write' ? 'NEW' : 'READONLY')};
  if TG_OP = 'DELETE' then
    entry.record_id := OLD.id;
    entry.old := hstore(OLD.*) - skip;
    entry.sfid := OLD.sfid;
  elsif TG_OP = 'INSERT' then
    entry.record_id := NEW.id;
    entry.values := hstore(NEW.*) - skip;
  else
    entry.record_id := NEW.id;
    entry.old := hstore(OLD.*) - skip;
    entry.values := (hstore(NEW.*) - hstore(entry.old)) - skip;
    entry.sfid := OLD.sfid;
  end if;
  insert into ${s}._trigger_log values (entry.*);
  return null;
end $$`,
    `create function ${s}.${status}() returns trigger language plpgsql as $$
begin
  if public.get_xmlbinary() = 'base64' then
    NEW._hc_lastop := 'PENDING';
    NEW._hc_err := null;
    return NEW;
  end if;
  if TG_OP = 'UPDATE' and NEW._hc_lastop is not null and NEW._hc_lastop is distinct from OLD._hc_lastop then
    return NEW;
  end if;
  NEW._hc_lastop := 'SYNCED';
  NEW._hc_err := null;
  return NEW;
end $$`,
    `create trigger ${ident(`hc_${t.table}_logtrigger`)} after insert or update or delete on ${table}
      for each row when (public.get_xmlbinary()::text = 'base64'::text) execute function ${s}.${logger}()`,
    `create trigger ${ident(`hc_${t.table}_status_trigger`)} before insert or update on ${table} for each row execute function ${s}.${status}()`,
  ];
}

/**
 * Build the schema on `client` (which must not be in a transaction) and write
 * Heroku Connect's history into it: the records loaded, then app writes and
 * what Heroku Connect made of them, leaving log entries in every state.
 */
export async function buildHerokuConnectFixture(client: pg.ClientBase, options: HerokuConnectFixtureOptions): Promise<HerokuConnectFixture> {
  const schema = options.schema ?? 'salesforce';
  if (options.accounts.length < 5) throw new Error('buildHerokuConnectFixture: pass at least 5 accounts (the history writes to the first five)');
  const s = ident(schema);
  const log = `${s}._trigger_log`;
  const lastProcessedAt = options.lastProcessedAt ?? new Date(Date.now() - 3_600_000);
  await client.query('begin');
  try {
    for (const statement of herokuConnectDdl(schema)) await client.query(statement);
    await client.query(`insert into ${s}._hcmeta (hcver, org_id, details) values (10, '00D000000000001EAA', $1)`, [
      JSON.stringify({ state: options.hcmetaState ?? 'paused' }),
    ]);
    // Heroku Connect's load: its session (xmlbinary hex) is not logged, and rows are SYNCED.
    await client.query(`set local xmlbinary = 'hex'`);
    await load(client, schema, FIXTURE_TABLES[0]!, options.accounts);
    await load(client, schema, FIXTURE_TABLES[1]!, options.contacts);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
  const [a0, a1, a2, a3, a4] = (await client.query<{ id: number }>(`select id from ${s}.account order by id limit 5`)).rows.map((r) => r.id);
  const app = (sql: string, params: unknown[] = []) => client.query(sql, params);
  // Processed by Heroku Connect long ago: each settled as its state says, then archived.
  const processed = async (state: string, message: string | null = null) => {
    const { rows } = await client.query<{ id: number }>(
      `update ${log} set state = $1::varchar, processed_at = $2, processed_tx = txid, updated_at = $2, sf_message = $3,
         sf_result = case when $1::varchar = 'SUCCESS' then 0 end
        where id = (select max(id) from ${log}) returning id`,
      [state, lastProcessedAt, message],
    );
    return rows[0]!.id;
  };
  const archive = async (ids: number[]) => {
    await client.query(`insert into ${s}._trigger_log_archive select * from ${log} where id = any($1)`, [ids]);
    await client.query(`delete from ${log} where id = any($1)`, [ids]);
  };
  const hcWrite = async (sql: string, params: unknown[]) => {
    await client.query('begin');
    await client.query(`set local xmlbinary = 'hex'`);
    await client.query(sql, params);
    await client.query('commit');
  };
  await app(`update ${s}.account set name = name || ' (renamed)' where id = $1`, [a0]);
  const success = await processed('SUCCESS');
  await app(`update ${s}.account set description = 'first draft' where id = $1`, [a2]);
  const merged = await processed('MERGED');
  await app(`update ${s}.account set description = 'second draft' where id = $1`, [a2]);
  const success2 = await processed('SUCCESS');
  await archive([success, merged, success2]);
  for (const id of [a0, a2]) await hcWrite(`update ${s}.account set _hc_lastop = null where id = $1`, [id]);
  await app(`update ${s}.account set phone = 'not a phone' where id = $1`, [a1]);
  const failedMessage = 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone must be digits';
  const failedId = await processed('FAILED', failedMessage);
  await hcWrite(`update ${s}.account set _hc_lastop = 'FAILED', _hc_err = $2 where id = $1`, [
    a1,
    JSON.stringify({ op: 'UPDATE', src: 'SF', msg: failedMessage }),
  ]);
  await app(`update ${s}.account set description = 'ignore me' where id = $1`, [a3]);
  await processed('IGNORE');
  await app(`update ${s}.account set description = 'ignored' where id = $1`, [a3]);
  await processed('IGNORED');
  await app(`update ${s}.contact set email = 'changed@example.com' where id = (select min(id) from ${s}.contact)`);
  await client.query(`update ${log} set processed_at = $1 where id = (select max(id) from ${log})`, [lastProcessedAt]);
  // A failed update the user requeued: the original archived as REQUEUED, a copy back in the log as REQUEUE.
  await app(`update ${s}.account set numberofemployees = 77 where id = $1`, [a3]);
  const requeued = await processed('REQUEUED', 'UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record');
  await archive([requeued]);
  const unsentStart = (await client.query<{ id: number }>(`select coalesce(max(id), 0) as id from ${log}`)).rows[0]!.id;
  await client.query(
    `insert into ${log} (txid, created_at, updated_at, state, action, table_name, record_id, sfid, old, values)
     select txid, clock_timestamp(), clock_timestamp(), 'REQUEUE', action, table_name, record_id, sfid, old, values
       from ${s}._trigger_log_archive where id = $1`,
    [requeued],
  );
  // Not sent yet: an insert, updates (one Heroku Connect had picked up: PENDING) and a delete.
  await app(`insert into ${s}.account (name, phone, numberofemployees) values ('Adopted Insert Co', '555-0142', 5)`);
  await app(`update ${s}.account set phone = '555-0101' where id = $1`, [a0]);
  await client.query(`update ${log} set state = 'PENDING', updated_at = now() where id = (select max(id) from ${log})`);
  await app(`update ${s}.account set numberofemployees = 12, description = 'after the switch' where id = $1`, [a0]);
  await app(`delete from ${s}.account where id = $1`, [a4]);
  const { rows: unsentRows } = await client.query<{ id: number; action: string; record_id: number; values: Record<string, string> | null }>(
    `select id, action, record_id, hstore_to_json(values::hstore) as values from ${log} where id > $1 order by id`,
    [unsentStart],
  );
  const { rows: stateRows } = await client.query<{ state: string }>(
    `select distinct state from (select state from ${log} union all select state from ${s}._trigger_log_archive) x order by state`,
  );
  return {
    schema,
    accountIds: (
      await client.query<{ id: number }>(`select id from ${s}.account where sfid = any($1) order by id`, [options.accounts.map((a) => a.sfid)])
    ).rows.map((r) => r.id),
    unsent: unsentRows.map((r) => ({ logId: r.id, action: r.action, recordId: r.record_id, values: r.values ?? {} })),
    failed: { logId: failedId, recordId: a1!, message: failedMessage },
    states: stateRows.map((r) => r.state),
  };
}

async function load(client: pg.ClientBase, schema: string, t: FixtureTable, records: FixtureRecord[]): Promise<void> {
  const cols = t.columns.map((c) => c.column);
  const names = ['sfid', 'systemmodstamp', 'createddate', 'isdeleted', ...cols].map(ident).join(', ');
  const stamp = `$2::timestamptz at time zone 'UTC'`;
  const marks = ['$1', stamp, stamp, 'false', ...cols.map((_, i) => `$${i + 3}`)].join(', ');
  for (const r of records) {
    await client.query(`insert into ${ident(schema)}.${ident(t.table)} (${names}) values (${marks})`, [
      r.sfid,
      (r.systemmodstamp ?? new Date(Date.now() - 60_000)).toISOString(),
      ...cols.map((c) => r.values[c] ?? null),
    ]);
  }
}

/** Heroku Connect's mapping export of the fixture's mappings (what `sfsync import` reads). */
export function herokuConnectExport(): unknown {
  return {
    version: 1,
    connection: { app_name: 'sfsync-fixture', organization_id: '00D000000000001EAA', exported_at: '2026-01-01T00:00:00Z' },
    mappings: FIXTURE_TABLES.map((t) => ({
      object_name: t.sobject,
      config: {
        access: t.access,
        sf_notify_enabled: false,
        sf_polling_seconds: 600,
        sf_max_daily_api_calls: 30000,
        fields: Object.fromEntries(['CreatedDate', 'Id', 'IsDeleted', 'SystemModstamp', ...t.columns.map((c) => c.field)].map((f) => [f, {}])),
        indexes: { Id: { unique: true }, SystemModstamp: { unique: false } },
      },
    })),
  };
}

/** A made-up 18-character Salesforce Id with the object's key prefix. */
function fakeId(prefix: string): string {
  return `${prefix}${randomBytes(8).toString('hex').slice(0, 12)}AAA`.slice(0, 18);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { schema: { type: 'string' }, export: { type: 'string' } } });
  const url = positionals[0];
  if (!url) throw new Error('usage: heroku-connect-fixture.ts <database-url> [--schema salesforce] [--export mappings.json]');
  const client = new pg.Client(url);
  await client.connect();
  try {
    const accounts = Array.from({ length: 6 }, (_, i) => ({
      sfid: fakeId('001'),
      values: { name: `Fixture Account ${i + 1}`, phone: `555-01${String(i).padStart(2, '0')}`, numberofemployees: 10 * (i + 1) },
    }));
    const contacts = accounts.map((a, i) => ({
      sfid: fakeId('003'),
      values: { lastname: `Contact ${i + 1}`, email: `c${i + 1}@example.com`, accountid: a.sfid },
    }));
    const fixture = await buildHerokuConnectFixture(client, { accounts, contacts, ...(values.schema ? { schema: values.schema } : {}) });
    if (values.export) writeFileSync(values.export, `${JSON.stringify(herokuConnectExport(), null, 2)}\n`);
    console.log(JSON.stringify({ schema: fixture.schema, unsent: fixture.unsent.length, states: fixture.states }));
  } finally {
    await client.end();
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
