/**
 * Migration 16: the outbox has the primary key and one partial index
 * (outbox_live); the hot queries reach it; retry_failed still drops the fields
 * a later change sent; prune_outbox deletes only finished rows past the
 * retention.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goneFromSnapshotSql } from '../../src/inbound/snapshot-gone.js';
import { currentSfidsSql } from '../../src/outbound/claim.js';
import { openTestClient, type TestClient } from '../setup/database.js';

let t: TestClient;
let client: pg.Client;

beforeAll(async () => {
  t = await openTestClient();
  client = t.client;
  await client.query('create table public.item (id bigint primary key, sfid varchar(18), systemmodstamp timestamp(3))');
});

afterAll(() => t?.close());

async function plan(sql: string, params: unknown[] = []): Promise<string> {
  await client.query('begin');
  try {
    // Tiny tables make a sequential scan cheapest; forbid it to see whether an index path exists at all.
    await client.query('set local enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.query('rollback');
  }
}

describe('outbox indexes', () => {
  it('a captured change enters only the primary key and outbox_live; op and state need no CHECK', async () => {
    const { rows } = await client.query<{ name: string; predicate: string | null }>(
      `select c.relname as name, pg_get_expr(i.indpred, i.indrelid) as predicate
         from pg_index i join pg_class c on c.oid = i.indexrelid
        where i.indrelid = 'sfsync.outbox'::regclass order by 1`,
    );
    expect(rows.map((r) => r.name)).toEqual(['outbox_live', 'outbox_pkey']);
    // Which of them a row in state 'new' enters: no predicate, or one that holds for 'new'.
    const entered: string[] = [];
    for (const r of rows) {
      if (r.predicate === null) entered.push(r.name);
      else if ((await client.query<{ ok: boolean }>(`select ${r.predicate} as ok from (select 'new'::sfsync.outbox_state as state) s`)).rows[0]!.ok) entered.push(r.name);
    }
    expect(entered.sort()).toEqual(['outbox_live', 'outbox_pkey']);
    const checks = await client.query(`select conname from pg_constraint where conrelid = 'sfsync.outbox'::regclass and contype = 'c'`);
    expect(checks.rows).toEqual([]);
    // The enums still refuse a bad value, when it is written.
    await expect(client.query(`update sfsync.outbox set state = 'done' where false`)).rejects.toThrow(/invalid input value for enum sfsync.outbox_state: "done"/);
  });

  it('the push\'s sfid lookup, the claim\'s pending check and the failed list read outbox_live', async () => {
    for (const sql of [
      currentSfidsSql('public.item'),
      `select 1 from sfsync.outbox p where p.mapping_id = $2 and p.record_id = any($1::bigint[]) and p.state = 'claimed'`,
      `select * from sfsync.failed_changes where mapping_id = $2 and $1::bigint[] is not null`,
    ]) {
      const text = await plan(sql, [['1', '2'], '1']);
      expect(text, sql).toContain('outbox_live');
      expect(text, sql).not.toMatch(/Seq Scan on outbox/);
    }
  });

  it('retry_failed drops the fields a later change of the record sent, and only those', async () => {
    await client.query('delete from sfsync.outbox');
    const ids = await client.query<{ id: string }>(
      `insert into sfsync.outbox (mapping_id, record_id, op, state, changed, done_at) values
         (1, 7, 'update', 'failed', '{"Name": "a", "Phone": "1"}', now()),
         (1, 7, 'update', 'success', '{"Phone": "2"}', now()),
         (1, 8, 'update', 'success', '{"Name": "other record"}', now()),
         (1, 8, 'update', 'failed', '{"Name": "b"}', now())
       returning id`,
    );
    const n = await client.query<{ n: number }>('select sfsync.retry_failed(all_failed => true) as n');
    expect(n.rows[0]!.n).toBe(2);
    const { rows } = await client.query<{ state: string; changed: unknown }>('select state, changed from sfsync.outbox where id = any($1::bigint[]) order by id', [[ids.rows[0]!.id, ids.rows[3]!.id]]);
    // Record 7's Phone went later; record 8's success came before its failure, so nothing is dropped.
    expect(rows).toEqual([{ state: 'new', changed: { Name: 'a' } }, { state: 'new', changed: { Name: 'b' } }]);
  });
});

describe('upgrade_capture_triggers', () => {
  it('moves the origin check of a capture trigger made before migration 16 into its function, and keeps capturing', async () => {
    // A read_write mapping as migrations 14-15 left it: the function without the check, the trigger with a WHEN clause.
    await client.query(`insert into sfsync.connections (name, login_url) values ('old', 'http://127.0.0.1:1') on conflict do nothing`);
    const { rows } = await client.query<{ id: string }>(
      `insert into sfsync.mappings (connection_id, sobject, table_name, fields, mode)
       select id, 'Legacy', 'legacy', '{Name}', 'read_write' from sfsync.connections where name = 'old' returning id`,
    );
    const id = rows[0]!.id;
    await client.query(`create schema if not exists salesforce; create table salesforce.legacy (id bigint generated by default as identity primary key, sfid varchar(18), name text)`);
    await client.query(`create function salesforce.tg_legacy__capture() returns trigger language plpgsql as $capture$
declare
  changed jsonb := '{}';
begin
  if TG_OP = 'UPDATE' then
    if NEW.name is distinct from OLD.name then changed := changed || jsonb_build_object('Name', NEW.name); end if;
    if changed = '{}'::jsonb then
      return null;
    end if;
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old) values ('${id}', NEW.id, NEW.sfid, 'update', changed, '{}');
  elsif TG_OP = 'INSERT' then
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed) values ('${id}', NEW.id, NEW.sfid, 'insert', jsonb_build_object('Name', NEW.name));
  else
    insert into sfsync.outbox (mapping_id, record_id, sfid, op) values ('${id}', OLD.id, OLD.sfid, 'delete');
  end if;
  return null;
end;
$capture$`);
    await client.query(`create trigger tg_legacy__capture after insert or update or delete on salesforce.legacy
      for each row when (coalesce(current_setting('sfsync.origin', true), '') = '') execute function salesforce.tg_legacy__capture()`);

    const upgraded = await client.query<{ n: number }>('select sfsync.upgrade_capture_triggers() as n');
    expect(upgraded.rows[0]!.n).toBe(1);
    const trigger = await client.query<{ def: string }>(`select pg_get_triggerdef(oid) as def from pg_trigger where tgname = 'tg_legacy__capture'`);
    expect(trigger.rows[0]!.def).not.toMatch(/WHEN/);
    // Again: nothing left to upgrade.
    expect((await client.query<{ n: number }>('select sfsync.upgrade_capture_triggers() as n')).rows[0]!.n).toBe(0);

    await client.query('delete from sfsync.outbox');
    await client.query(`insert into salesforce.legacy (name) values ('app row')`);
    await client.query('begin');
    await client.query(`set local sfsync.origin = 'salesforce'`);
    await client.query(`insert into salesforce.legacy (name) values ('inbound row')`);
    await client.query('commit');
    const captured = await client.query<{ changed: unknown }>('select changed from sfsync.outbox where mapping_id = $1', [id]);
    expect(captured.rows).toEqual([{ changed: { Name: 'app row' } }]);
  });
});

describe('prune_outbox', () => {
  it('deletes success, merged and ignored rows finished before the retention, in batches; keeps failed, open and recent rows', async () => {
    await client.query('delete from sfsync.outbox');
    const rows: [string, string | null][] = [
      ['success', '30 days'], ['success', '30 days'], ['success', '30 days'], ['merged', '30 days'], ['ignored', '30 days'],
      ['failed', '30 days'], ['success', '1 hour'], ['new', null], ['claimed', null],
    ];
    for (const [i, [state, age]] of rows.entries()) {
      await client.query(
        `insert into sfsync.outbox (mapping_id, record_id, op, state, done_at) values (1, $1, 'update', $2, now() - $3::interval)`,
        [i + 1, state, age],
      );
    }
    // A batch of 2 makes the loop run more than once.
    const pruned = await client.query<{ n: string }>(`select sfsync.prune_outbox('7 days', 2) as n`);
    expect(Number(pruned.rows[0]!.n)).toBe(5);
    const left = await client.query<{ state: string }>('select state from sfsync.outbox order by record_id');
    expect(left.rows.map((r) => r.state)).toEqual(['failed', 'success', 'new', 'claimed']);
  });
});
