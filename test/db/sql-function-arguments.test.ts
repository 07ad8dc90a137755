/**
 * The sfsync SQL functions refuse arguments they cannot mean
 * (null or empty selections, unknown ids, negative intervals, non-positive
 * batches) with a SQLSTATE and one line naming the fix, changing nothing;
 * the explicit forms (ids, a mapping, all_failed / all_mappings => true)
 * still work. The refusals are the hostile cases of
 * test/hostile/cases/sql-functions.ts, run here against the same world.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeMapping } from '../../src/mapping/apply-mapping.js';
import { sqlFunctionCases } from '../hostile/cases/sql-functions.js';
import { openTestClient, type TestClient } from '../setup/database.js';

let t: TestClient;
let client: pg.Client;

async function states(): Promise<Record<string, string>> {
  const { rows } = await client.query<{ id: string; state: string }>('select id::text, state::text from sfsync.outbox order by id');
  return Object.fromEntries(rows.map((r) => [r.id, r.state]));
}

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await client.query<{ v: T }>(`select (${sql}) as v`, params);
  return rows[0]!.v;
}

/** The world of the hostile cases: mapping 1 Account read_write with failed and successful changes, mapping 2 Contact read_only. */
async function resetOutbox(): Promise<{ failed: string[]; succeeded: string[] }> {
  await client.query('delete from sfsync.outbox');
  const { rows } = await client.query<{ id: string; state: string }>(
    `insert into sfsync.outbox (mapping_id, record_id, op, changed, state, error, done_at) values
       (1, 1, 'update', '{"Name": "a"}', 'failed', '{"code": "REQUIRED_FIELD_MISSING"}', now()),
       (1, 2, 'update', '{"Name": "b"}', 'failed', '{"code": "REQUIRED_FIELD_MISSING"}', now()),
       (1, 3, 'update', '{"Name": "c"}', 'success', null, now() - interval '30 days'),
       (1, 4, 'update', '{"Name": "d"}', 'success', null, now())
     returning id::text, state::text`,
  );
  return { failed: rows.filter((r) => r.state === 'failed').map((r) => r.id), succeeded: rows.filter((r) => r.state === 'success').map((r) => r.id) };
}

beforeAll(async () => {
  t = await openTestClient();
  client = t.client;
  const { rows: c } = await client.query<{ id: string }>(
    `insert into sfsync.connections (name, login_url) values ('default', 'http://127.0.0.1:1') returning id::text`,
  );
  const { rows: m } = await client.query<{ id: string }>(
    `insert into sfsync.mappings (connection_id, sobject, schema_name, table_name, fields, mode) values
       ($1, 'Account', 'salesforce', 'account', '{Name,Industry}', 'read_write'),
       ($1, 'Contact', 'salesforce', 'contact', '{LastName}', 'read_only')
     returning id::text`,
    [c[0]!.id],
  );
  expect([c[0]!.id, ...m.map((r) => r.id)]).toEqual(['1', '1', '2']);
  await resetOutbox();
});

afterAll(() => t?.close());

describe('refused arguments', () => {
  const cases = sqlFunctionCases.filter((c) => c.sql);

  it('has a case for each function and kind of argument', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const fn of [
      'retry_failed',
      'discard_failed',
      'prune_outbox',
      'recover_outbox',
      'claim_outbox',
      'pause',
      'resume',
      'resolve_mapping',
      'request_reload',
      'request_reconcile',
      'remove_mapping',
    ]) {
      expect(
        cases.some((c) => c.sql!.includes(`sfsync.${fn}(`)),
        fn,
      ).toBe(true);
    }
  });
  // Each case is run, with the database compared before and after, by the hostile-input suite (test/hostile).
});

describe('explicit calls still work', () => {
  it('retry_failed by ids, by mapping, by both, and all_failed => true', async () => {
    let { failed } = await resetOutbox();
    expect(await one('sfsync.retry_failed(null, $1::bigint[])', [[failed[0]]])).toBe(1);
    expect((await states())[failed[0]!]).toBe('new');
    expect(await one('sfsync.retry_failed(p_mapping_id => 1)')).toBe(1);
    expect(await one('sfsync.retry_failed(1)')).toBe(0);
    expect(await one('sfsync.retry_failed(2)')).toBe(0);
    ({ failed } = await resetOutbox());
    expect(await one('sfsync.retry_failed(1, $1::bigint[])', [failed])).toBe(2);
    await resetOutbox();
    expect(await one('sfsync.retry_failed(all_failed => true)')).toBe(2);
    expect(await one('sfsync.retry_failed(all_failed => true)')).toBe(0);
  });

  it('missing_ok skips ids that are not failed (any more), and takes an empty array as none', async () => {
    const { failed, succeeded } = await resetOutbox();
    expect(await one(`sfsync.retry_failed(p_outbox_ids => '{}', missing_ok => true)`)).toBe(0);
    expect(await one('sfsync.retry_failed(p_outbox_ids => $1::bigint[], missing_ok => true)', [[failed[0], succeeded[0], '999999']])).toBe(1);
    expect(Object.values(await states())).toEqual(['new', 'failed', 'success', 'success']);
    expect(await one('sfsync.discard_failed(null, $1::bigint[], missing_ok => true)', [[failed[0], failed[1]]])).toBe(1);
  });

  it('discard_failed by ids, by mapping and all_failed => true', async () => {
    let { failed } = await resetOutbox();
    expect(await one('sfsync.discard_failed(null, $1::bigint[])', [[failed[1]]])).toBe(1);
    expect(await one('sfsync.discard_failed(1)')).toBe(1);
    expect(Object.values(await states())).toEqual(['ignored', 'ignored', 'success', 'success']);
    ({ failed } = await resetOutbox());
    expect(await one('sfsync.discard_failed(all_failed => true)')).toBe(2);
  });

  it('pause and resume a mapping by name, or every one with all_mappings => true', async () => {
    const ids = async (sql: string) => (await client.query<{ id: string }>(`select id::text from ${sql} as id order by 1`)).rows.map((r) => r.id);
    expect(await ids(`sfsync.pause('Account')`)).toEqual(['1']);
    expect(await ids('sfsync.pause(all_mappings => true)')).toEqual(['2']);
    expect(await ids(`sfsync.resume('salesforce.contact')`)).toEqual(['2']);
    expect(await ids('sfsync.resume(all_mappings => true)')).toEqual(['1']);
    expect(await ids('sfsync.resume(null, all_mappings => true)')).toEqual([]);
  });

  it('prune_outbox: 0 keeps nothing finished; an interval before the calendar prunes nothing', async () => {
    await resetOutbox();
    expect(await one(`sfsync.prune_outbox('100000 years')`)).toBe('0');
    expect(await one(`sfsync.prune_outbox('7 days', 1)`)).toBe('1');
    expect(await one(`sfsync.prune_outbox('0')`)).toBe('1');
    expect(Object.values(await states())).toEqual(['failed', 'failed']);
  });

  it('recover_outbox and claim_outbox with a mapping, a claimer, a lease and a limit', async () => {
    const { failed } = await resetOutbox();
    await one('sfsync.retry_failed(null, $1::bigint[])', [failed]);
    const { rows } = await client.query(`select id::text from sfsync.claim_outbox(1, 'test', 1)`);
    expect(rows).toEqual([{ id: failed[0] }]);
    expect(await one(`sfsync.recover_outbox(1, '1 hour')`)).toBe(0);
    expect(await one('sfsync.recover_outbox(2)')).toBe(0);
  });

  it('remove_mapping of a mapping that exists; removeMapping() of one that does not is still false', async () => {
    const { rows } = await client.query<{ id: string }>(
      `insert into sfsync.mappings (connection_id, sobject, table_name, fields, mode) values (1, 'Lead', 'lead', '{LastName}', 'read_only') returning id::text`,
    );
    const id = rows[0]!.id;
    expect(await one('sfsync.remove_mapping($1)', [id])).toBe(true);
    expect(await removeMapping(client, id)).toBe(false);
    expect(await one('sfsync.request_reload($1)', ['Account'])).toBe('1');
  });
});
