/**
 * The outbox has the primary key and one partial index
 * (outbox_live); the hot queries reach it; retry_failed still drops the fields
 * a later change sent; prune_outbox deletes only finished rows past the
 * retention.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      else if ((await client.query<{ ok: boolean }>(`select ${r.predicate} as ok from (select 'new'::sfsync.outbox_state as state) s`)).rows[0]!.ok)
        entered.push(r.name);
    }
    expect(entered.sort()).toEqual(['outbox_live', 'outbox_pkey']);
    const checks = await client.query(`select conname from pg_constraint where conrelid = 'sfsync.outbox'::regclass and contype = 'c'`);
    expect(checks.rows).toEqual([]);
    // The enums still refuse a bad value, when it is written.
    await expect(client.query(`update sfsync.outbox set state = 'done' where false`)).rejects.toThrow(
      /invalid input value for enum sfsync.outbox_state: "done"/,
    );
  });

  it("the push's sfid lookup, the claim's pending check and the failed list read outbox_live", async () => {
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
    const { rows } = await client.query<{ state: string; changed: unknown }>(
      'select state, changed from sfsync.outbox where id = any($1::bigint[]) order by id',
      [[ids.rows[0]!.id, ids.rows[3]!.id]],
    );
    // Record 7's Phone went later; record 8's success came before its failure, so nothing is dropped.
    expect(rows).toEqual([
      { state: 'new', changed: { Name: 'a' } },
      { state: 'new', changed: { Name: 'b' } },
    ]);
  });
});

describe('prune_outbox', () => {
  it('deletes success, merged and ignored rows finished before the retention, in batches; keeps failed, open and recent rows', async () => {
    await client.query('delete from sfsync.outbox');
    const rows: [string, string | null][] = [
      ['success', '30 days'],
      ['success', '30 days'],
      ['success', '30 days'],
      ['merged', '30 days'],
      ['ignored', '30 days'],
      ['failed', '30 days'],
      ['success', '1 hour'],
      ['new', null],
      ['claimed', null],
    ];
    for (const [i, [state, age]] of rows.entries()) {
      await client.query(`insert into sfsync.outbox (mapping_id, record_id, op, state, done_at) values (1, $1, 'update', $2, now() - $3::interval)`, [
        i + 1,
        state,
        age,
      ]);
    }
    // A batch of 2 makes the loop run more than once.
    const pruned = await client.query<{ n: string }>(`select sfsync.prune_outbox('7 days', 2) as n`);
    expect(Number(pruned.rows[0]!.n)).toBe(5);
    const left = await client.query<{ state: string }>('select state from sfsync.outbox order by record_id');
    expect(left.rows.map((r) => r.state)).toEqual(['failed', 'success', 'new', 'claimed']);
  });
});
