/**
 * Migration 12: an UPDATE is captured as the rows' images before it (their
 * mapped writable columns as text) into sfsync.outbox_updates, and the drain
 * (run by the claims and the inbound apply) sends the fields that differ
 * from the row's next image: the next one logged, or the row as it is. These
 * tests hold the cases where that next image could be wrong: updates still
 * uncommitted when a drain runs, and sfsync's own uncaptured writes.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../src/mapping/field-info.js';
import { mappingNames } from '../../src/mapping/mapping-names.js';
import { triggerStatements } from '../../src/mapping/plan-statements.js';
import { claim, drainChanges } from '../../src/outbox/outbox.js';
import { fixTriggers } from '../../src/cli/doctor/check-triggers.js';
import { fieldInfo } from '../support/field-info.js';
import { openTestClient, type TestClient } from '../setup/database.js';
import { waitFor } from '../support/wait-for.js';

let t: TestClient;
let client: pg.Client;
let other: pg.Client;
let mappingId: string;

/** One field per kind of column a mapping makes, and a calculated one (never logged). */
const FIELDS: FieldInfo[] = [
  fieldInfo('Name', { pgType: 'varchar(80)' }),
  fieldInfo('Amount__c', { type: 'currency', pgType: 'numeric(18, 2)' }),
  fieldInfo('Score__c', { type: 'double', pgType: 'double precision' }),
  fieldInfo('Size__c', { type: 'int', pgType: 'integer' }),
  fieldInfo('Active__c', { type: 'boolean', pgType: 'boolean' }),
  fieldInfo('Due__c', { type: 'datetime', pgType: 'timestamp(3)' }),
  fieldInfo('Label__c', { calculated: true, createable: false, updateable: false }),
];

async function install(fields: FieldInfo[], drop: boolean): Promise<void> {
  await client.query('begin');
  try {
    for (const statement of triggerStatements(mappingNames('salesforce', 'deal'), mappingId, fields, { drop, create: true })) await client.query(statement);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

beforeAll(async () => {
  t = await openTestClient();
  client = t.client;
  other = new pg.Client(t.db.url);
  await other.connect();
  await client.query(`insert into sfsync.connections (name, login_url) values ('c', 'http://127.0.0.1:1')`);
  await client.query(
    `create schema salesforce;
     create table salesforce.deal (id bigserial primary key, sfid varchar(18), name varchar(80), amount__c numeric(18, 2), score__c double precision,
                                   size__c integer, active__c boolean, due__c timestamp(3), label__c text, note text)`,
  );
  const { rows } = await client.query<{ id: string }>(
    `insert into sfsync.mappings (connection_id, sobject, table_name, fields, field_info, mode)
     select id, 'Deal__c', 'deal', $2::text[], $1::jsonb, 'read_write' from sfsync.connections returning id::text`,
    [JSON.stringify(FIELDS), FIELDS.map((f) => f.name)],
  );
  mappingId = rows[0]!.id;
  await install(FIELDS, false);
});
afterAll(async () => {
  await other?.end();
  await t?.close();
});
beforeEach(async () => {
  await client.query('delete from salesforce.deal; delete from sfsync.outbox; delete from sfsync.outbox_inserts; delete from sfsync.outbox_updates');
});

/** Insert a row and move its insert into the outbox, as a claim would; returns its id. */
async function row(values = `'Acme', 10.5, 1.25, 3, true, '2024-01-02 03:04:05.123'`): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into salesforce.deal (name, amount__c, score__c, size__c, active__c, due__c) values (${values}) returning id::text`,
  );
  await drainChanges(client, mappingId);
  await client.query(`delete from sfsync.outbox`);
  return rows[0]!.id;
}

const logged = async () =>
  (await client.query<{ record_id: string; sfsync_write: boolean }>('select record_id::text, sfsync_write from sfsync.outbox_updates order by id')).rows;
const updates = async () =>
  (
    await client.query<{ record_id: string; changed: Record<string, unknown>; old: Record<string, unknown> }>(
      `select record_id::text, changed, old from sfsync.outbox where op = 'update' order by id`,
    )
  ).rows.map((r) => [r.changed, r.old]);

describe('the update log', () => {
  it('an UPDATE logs the image before it and writes no outbox row; the drain sends only the fields that changed, typed', async () => {
    const id = await row();
    await client.query(
      `update salesforce.deal set amount__c = 99.99, score__c = null, size__c = 4, active__c = false, due__c = '2025-06-07 08:09:10.5', label__c = 'x', note = 'y' where id = $1`,
      [id],
    );
    expect(await logged()).toEqual([{ record_id: id, sfsync_write: false }]);
    expect(await updates()).toEqual([]);
    expect(await drainChanges(client, mappingId)).toBe(1);
    expect(await logged()).toEqual([]);
    expect(await updates()).toEqual([
      [
        { Amount__c: 99.99, Score__c: null, Size__c: 4, Active__c: false, Due__c: '2025-06-07T08:09:10.5' },
        { Amount__c: 10.5, Score__c: 1.25, Size__c: 3, Active__c: true, Due__c: '2024-01-02T03:04:05.123' },
      ],
    ]);
    const { rows } = await client.query(`select sfid, state::text from sfsync.outbox where op = 'update'`);
    expect(rows).toEqual([{ sfid: null, state: 'new' }]);
  });

  it('an UPDATE of no mapped field, or to the same values, sends nothing', async () => {
    const id = await row();
    await client.query(`update salesforce.deal set note = 'local only', label__c = 'calc' where id = $1`, [id]);
    await client.query(`update salesforce.deal set name = 'Acme', amount__c = 10.50 where id = $1`, [id]);
    expect(await logged()).toHaveLength(2);
    expect(await drainChanges(client, mappingId)).toBe(0);
    expect(await logged()).toEqual([]);
    expect(await updates()).toEqual([]);
  });

  it('an upsert (INSERT … ON CONFLICT DO UPDATE) logs the rows it inserts as inserts and the rows it updates as updates', async () => {
    const id = await row();
    await client.query(
      `insert into salesforce.deal (id, name) values ($1, 'Upserted'), (nextval('salesforce.deal_id_seq'), 'Fresh') on conflict (id) do update set name = excluded.name`,
      [id],
    );
    expect(await drainChanges(client, mappingId)).toBe(2);
    const { rows } = await client.query(`select op::text, changed from sfsync.outbox order by op::text`);
    expect(rows).toEqual([
      { op: 'insert', changed: { Name: 'Fresh' } },
      { op: 'update', changed: { Name: 'Upserted' } },
    ]);
  });

  it('updates drained together keep one outbox row each, in order, with what each one changed', async () => {
    const id = await row();
    await client.query(`update salesforce.deal set name = 'B' where id = $1`, [id]);
    await client.query(`update salesforce.deal set size__c = 7 where id = $1`, [id]);
    await client.query(`update salesforce.deal set name = 'Acme' where id = $1`, [id]);
    expect(await drainChanges(client, mappingId)).toBe(3);
    expect(await updates()).toEqual([
      [{ Name: 'B' }, { Name: 'Acme' }],
      [{ Size__c: 7 }, { Size__c: 3 }],
      [{ Name: 'Acme' }, { Name: 'B' }],
    ]);
    // Their ids are the ones they were captured with: after the insert's, before a later delete's.
    await client.query(`delete from salesforce.deal where id = $1`, [id]);
    const { rows } = await client.query(`select op::text from sfsync.outbox order by id`);
    expect(rows.map((r) => r.op)).toEqual(['update', 'update', 'update', 'delete']);
  });

  it("sfsync's own write between an app update and the drain is not taken for the app's change", async () => {
    const id = await row();
    const untouched = await row(`'Other', 1, 1, 1, true, null`);
    await client.query(`update salesforce.deal set amount__c = 20 where id = $1`, [id]);
    // An inbound apply's write (not captured), of the same field and of another one.
    await client.query(
      `begin; set local sfsync.origin = 'salesforce'; update salesforce.deal set amount__c = 30, name = 'From Salesforce', sfid = '001000000000001AAA'; commit`,
    );
    // The row that had a logged update gets its image before sfsync's write logged; the other none.
    expect(await logged()).toEqual([
      { record_id: id, sfsync_write: false },
      { record_id: id, sfsync_write: true },
    ]);
    expect(await drainChanges(client, mappingId)).toBe(1);
    expect(await updates()).toEqual([[{ Amount__c: 20 }, { Amount__c: 10.5 }]]);
    expect(await logged()).toEqual([]);
    // Then the app again: compared with the row as sfsync left it.
    await client.query(`update salesforce.deal set name = 'App' where id = any($1)`, [[id, untouched]]);
    await client.query(`delete from sfsync.outbox`);
    expect(await drainChanges(client, mappingId)).toBe(2);
    expect(await updates()).toEqual([
      [{ Name: 'App' }, { Name: 'From Salesforce' }],
      [{ Name: 'App' }, { Name: 'From Salesforce' }],
    ]);
  });

  it("sfsync's write that waited for an app update's commit still logs the image between them", async () => {
    const id = await row();
    await other.query('begin');
    await other.query(`update salesforce.deal set size__c = 8 where id = $1`, [id]);
    // sfsync's write waits on the app's row lock; by the time its trigger runs, the app's image is visible.
    const inbound = client.query(`begin; set local sfsync.origin = 'salesforce'; update salesforce.deal set size__c = 9, name = 'SF' where id = ${id}; commit`);
    await waitFor(
      async () => (await other.query(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%set size__c = 9%'`)).rows.length === 1,
      { timeoutMs: 10_000, what: "sfsync's update waiting on the app's row lock" },
    );
    await other.query('commit');
    await inbound;
    expect((await logged()).map((r) => r.sfsync_write)).toEqual([false, true]);
    await drainChanges(client, mappingId);
    expect(await updates()).toEqual([[{ Size__c: 8 }, { Size__c: 3 }]]);
  });

  it('a drain while an update is uncommitted pairs the committed one with the row as committed, and the other later', async () => {
    const id = await row();
    await client.query(`update salesforce.deal set size__c = 5 where id = $1`, [id]);
    await other.query('begin');
    await other.query(`update salesforce.deal set size__c = 6, name = 'Later' where id = $1`, [id]);
    try {
      expect(await drainChanges(client, mappingId)).toBe(1);
      expect(await updates()).toEqual([[{ Size__c: 5 }, { Size__c: 3 }]]);
    } finally {
      await other.query('commit');
    }
    expect(await drainChanges(client, mappingId)).toBe(1);
    expect((await updates())[1]).toEqual([
      { Name: 'Later', Size__c: 6 },
      { Name: 'Acme', Size__c: 5 },
    ]);
  });

  it("an UPDATE that changes a row's id is refused with the fix, and nothing is logged", async () => {
    const id = await row();
    await expect(client.query(`update salesforce.deal set id = id + 1000, name = 'Moved' where id = $1`, [id])).rejects.toThrow(
      /salesforce\.deal is synced with Salesforce by row id, so a row's id cannot change .*insert a new row and delete the old one instead/,
    );
    // Assigning the same id, as some ORMs do, is an ordinary update.
    await client.query(`update salesforce.deal set id = id, name = 'Kept' where id = $1`, [id]);
    expect(await drainChanges(client, mappingId)).toBe(1);
    expect(await updates()).toEqual([[{ Name: 'Kept' }, { Name: 'Acme' }]]);
  });

  it('a row deleted before the drain: its updates send nothing, its delete follows', async () => {
    const id = await row();
    await client.query(`update salesforce.deal set name = 'Gone soon' where id = $1`, [id]);
    await client.query(`delete from salesforce.deal where id = $1`, [id]);
    expect(await drainChanges(client, mappingId)).toBe(0);
    expect(await logged()).toEqual([]);
    const { rows } = await client.query(`select op::text from sfsync.outbox`);
    expect(rows).toEqual([{ op: 'delete' }]);
  });

  it('counts as a pending change until drained, and a claim drains it', async () => {
    const id = await row();
    await client.query(`update salesforce.deal set name = 'Pending' where id = $1`, [id]);
    const { rows: status } = await client.query('select pending_changes::int from sfsync.mapping_status where mapping_id = $1', [mappingId]);
    expect(status).toEqual([{ pending_changes: 1 }]);
    const { rows: open } = await client.query('select ops from sfsync.open_changes where mapping_id = $1', [mappingId]);
    expect(open).toEqual([{ ops: ['update'] }]);
    const { rows: toPush } = await client.query('select id::text from sfsync.mappings_to_push() as id');
    expect(toPush).toEqual([{ id: mappingId }]);
    const claimed = await claim(client, mappingId, 'test', 10);
    expect(claimed.flat().map((c) => [c.op, c.changed])).toEqual([['update', { Name: 'Pending' }]]);
    // An image sfsync logged is not a pending change.
    await client.query(`update salesforce.deal set name = 'App' where id = $1`, [id]);
    await client.query(`begin; set local sfsync.origin = 'sfsync'; update salesforce.deal set name = 'SF' where id = ${id}; commit`);
    const { rows: logged2 } = await client.query(`select count(*)::int as n from sfsync.outbox_logged where mapping_id = $1`, [mappingId]);
    expect(logged2).toEqual([{ n: 1 }]);
  });

  it('re-applied with other fields, the capture first moves the updates logged in the old layout', async () => {
    const id = await row();
    await client.query(`update salesforce.deal set name = 'Before', size__c = 11 where id = $1`, [id]);
    try {
      // Amount__c no longer mapped: the old images have one field more, at position 2.
      await install(
        FIELDS.filter((f) => f.name !== 'Amount__c'),
        true,
      );
      expect(await logged()).toEqual([]);
      expect(await updates()).toEqual([
        [
          { Name: 'Before', Size__c: 11 },
          { Name: 'Acme', Size__c: 3 },
        ],
      ]);
      await client.query(`update salesforce.deal set size__c = 12, amount__c = 1 where id = $1`, [id]);
      await client.query('delete from sfsync.outbox');
      await drainChanges(client, mappingId);
      expect(await updates()).toEqual([[{ Size__c: 12 }, { Size__c: 11 }]]);
    } finally {
      await install(FIELDS, true);
    }
  });

  it("without the table's update drain, the drain refuses with the fix rather than guess the layout", async () => {
    const id = await row();
    await client.query(`update salesforce.deal set name = 'Stuck' where id = $1`, [id]);
    await client.query('drop function salesforce.tg_deal__drain_updates(bigint[])');
    await expect(drainChanges(client, mappingId)).rejects.toThrow(/no drain function tg_deal__drain_updates; run `sfsync doctor --fix`/);
    expect(await logged()).toHaveLength(1);
    // The capture function is current, so doctor re-creates the drain alone, then re-creates the rest through it.
    const pool = new pg.Pool({ connectionString: t.db.url });
    try {
      expect(await fixTriggers(pool)).toEqual(['salesforce.deal']);
    } finally {
      await pool.end();
    }
    expect(await updates()).toEqual([[{ Name: 'Stuck' }, { Name: 'Acme' }]]);
  });

  it('a role granted what docs/schema.md lists can update a mapped table', async () => {
    await client.query(`create role sfsync_app_writer; grant usage on schema salesforce, sfsync to sfsync_app_writer;
      grant select, insert, update, delete on salesforce.deal to sfsync_app_writer; grant usage on sequence salesforce.deal_id_seq to sfsync_app_writer;
      grant insert on sfsync.outbox, sfsync.outbox_inserts, sfsync.outbox_updates to sfsync_app_writer;
      grant usage on sequence sfsync.outbox_id_seq to sfsync_app_writer`);
    try {
      await client.query('begin; set local role sfsync_app_writer');
      await client.query(`insert into salesforce.deal (name) values ('As app')`);
      await client.query(`update salesforce.deal set name = 'As app, again'`);
      await client.query(`delete from salesforce.deal`);
      await client.query('commit');
    } finally {
      await client.query('rollback').catch(() => undefined);
      await client.query(`drop owned by sfsync_app_writer; drop role sfsync_app_writer`);
    }
    const { rows } = await client.query(`select count(*)::int as n from sfsync.outbox_updates`);
    expect(rows).toEqual([{ n: 1 }]);
  });
});
