/**
 * Migration 11: an INSERT is captured as ids only into sfsync.outbox_inserts,
 * and sfsync.drain_inserts (run by the claims and the inbound apply) moves it
 * into the outbox with the row's values, keeping its place in the record's
 * order. Until then everything that asks for a record's unsent changes still
 * sees it.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mappingNames } from '../../src/mapping/mapping-names.js';
import { triggerStatements } from '../../src/mapping/plan-statements.js';
import { claim, drainChanges } from '../../src/outbox/outbox.js';
import { fieldInfo } from '../support/field-info.js';
import { openTestClient, type TestClient } from '../setup/database.js';
import { waitFor } from '../support/wait-for.js';

let t: TestClient;
let client: pg.Client;
let mappingId: string;

/** 60 writable text fields (more than one jsonb_build_object takes), a calculated one and a removed one. */
const WIDE = Array.from({ length: 60 }, (_, i) => fieldInfo(`F${i}__c`));
const FIELDS = [
  fieldInfo('Name'),
  ...WIDE,
  fieldInfo('Label__c', { calculated: true, createable: false, updateable: false }),
  fieldInfo('Gone__c', { removed: true }),
];

beforeAll(async () => {
  t = await openTestClient();
  client = t.client;
  await client.query(`insert into sfsync.connections (name, login_url) values ('c', 'http://127.0.0.1:1')`);
  await client.query(
    `create schema salesforce;
     create table salesforce.item (id bigserial primary key, sfid varchar(18), ${FIELDS.map((f) => `${f.column} text`).join(', ')})`,
  );
  const { rows } = await client.query<{ id: string }>(
    `insert into sfsync.mappings (connection_id, sobject, table_name, fields, field_info, mode)
     select id, 'Item__c', 'item', $2::text[], $1::jsonb, 'read_write' from sfsync.connections returning id::text`,
    [JSON.stringify(FIELDS), FIELDS.map((f) => f.name)],
  );
  mappingId = rows[0]!.id;
  for (const statement of triggerStatements(mappingNames('salesforce', 'item'), mappingId, FIELDS, { drop: false, create: true })) {
    await client.query(statement);
  }
});
afterAll(() => t?.close());
beforeEach(async () => {
  await client.query('delete from salesforce.item; delete from sfsync.outbox; delete from sfsync.outbox_inserts');
});

const logged = async () =>
  (await client.query<{ record_id: string }>('select record_id::text from sfsync.outbox_inserts order by id')).rows.map((r) => r.record_id);
const outbox = async () =>
  (
    await client.query<{ id: string; record_id: string; op: string; state: string; changed: Record<string, unknown> }>(
      'select id::text, record_id::text, op::text, state::text, changed from sfsync.outbox order by id',
    )
  ).rows;

describe('the insert log', () => {
  it('a 3-row INSERT logs 3 ids and writes no outbox row; the drain moves them with their non-null writable values', async () => {
    const { rows: ids } = await client.query<{ id: string }>(
      `insert into salesforce.item (name, f0__c, f59__c, label__c, gone__c) select 'Row ' || i, 'first', 'last', 'calc', 'gone' from generate_series(1, 3) i returning id::text`,
    );
    expect(await logged()).toEqual(ids.map((r) => r.id));
    expect(await outbox()).toEqual([]);

    expect(await drainChanges(client, mappingId)).toBe(3);
    expect(await logged()).toEqual([]);
    const rows = await outbox();
    expect(rows.map((r) => [r.record_id, r.op, r.state])).toEqual(ids.map((r) => [r.id, 'insert', 'new']));
    // Both jsonb_build_object chunks, no nulls, nothing calculated or removed.
    expect(rows[0]!.changed).toEqual({ Name: 'Row 1', F0__c: 'first', F59__c: 'last' });
  });

  it('keeps the id it was captured with, so an update captured before the drain still comes after the insert', async () => {
    const { rows } = await client.query<{ id: string }>(`insert into salesforce.item (name) values ('before') returning id::text`);
    const recordId = rows[0]!.id;
    await client.query(`update salesforce.item set name = 'after', f1__c = 'x' where id = $1`, [recordId]);
    const claimed = await claim(client, mappingId, 'test', 10);
    expect(claimed).toHaveLength(1);
    // The insert carries the row's values when drained; the update follows it.
    expect(claimed[0]!.map((c) => [c.op, c.changed])).toEqual([
      ['insert', { Name: 'after', F1__c: 'x' }],
      ['update', { Name: 'after', F1__c: 'x' }],
    ]);
    expect(BigInt(claimed[0]![0]!.id)).toBeLessThan(BigInt(claimed[0]![1]!.id));
  });

  it('a claim skips a record whose insert was logged after its drain, even when a later change of it is visible', async () => {
    // Record 0 is logged; session `holder` locks its log row, so the claim's drain waits on it.
    const { rows: r0 } = await client.query<{ id: string }>(`insert into salesforce.item (name) values ('zero') returning id::text`);
    const holder = new pg.Client(t.db.url);
    const writer = new pg.Client(t.db.url);
    const claimer = new pg.Client(t.db.url);
    await Promise.all([holder.connect(), writer.connect(), claimer.connect()]);
    try {
      await holder.query('begin');
      await holder.query('select 1 from sfsync.outbox_inserts for update');
      // Record 1 is inserted and updated by a transaction that starts before the claim (so its update is due
      // in that claim) and commits while the claim's drain waits: the drain's snapshot has neither row, the
      // claim's next statement has both, the update in the outbox and the insert still in the log.
      await writer.query('begin');
      const { rows: r1 } = await writer.query<{ id: string }>(`insert into salesforce.item (name) values ('one') returning id::text`);
      await writer.query(`update salesforce.item set f0__c = 'changed' where id = $1`, [r1[0]!.id]);
      const pid = (await claimer.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const claiming = claim(claimer, mappingId, 'race', 10);
      await waitFor(async () => (await client.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [pid])).rowCount === 1, {
        what: "the claim's drain waiting for the locked log row",
      });
      await writer.query('commit');
      await holder.query('commit');
      const claimed = await claiming;
      // Only record 0: record 1's update waits, or it would go out before the insert that creates it.
      expect(claimed.map((changes) => changes.map((c) => [c.recordId, c.op]))).toEqual([[[r0[0]!.id, 'insert']]]);
      expect(await logged()).toEqual([r1[0]!.id]);
      const next = await claim(client, mappingId, 'next', 10);
      expect(next.map((changes) => changes.map((c) => [c.recordId, c.op]))).toEqual([
        [
          [r1[0]!.id, 'insert'],
          [r1[0]!.id, 'update'],
        ],
      ]);
    } finally {
      await Promise.all([holder.end(), writer.end(), claimer.end()].map((p) => p.catch(() => undefined)));
    }
  });

  it('a row deleted before the drain: its insert is ignored and the claim sends only a delete without sfid (nothing to send)', async () => {
    const { rows } = await client.query<{ id: string }>(`insert into salesforce.item (name) values ('short-lived') returning id::text`);
    await client.query('delete from salesforce.item where id = $1', [rows[0]!.id]);
    const claimed = await claim(client, mappingId, 'test', 10);
    expect(claimed.flat().map((c) => [c.op, c.sfid])).toEqual([['delete', null]]);
    expect((await outbox()).map((r) => [r.op, r.state])).toEqual([
      ['insert', 'ignored'],
      ['delete', 'claimed'],
    ]);
  });

  it('rows sfsync writes itself (sfsync.origin) are not logged', async () => {
    await client.query('begin');
    await client.query(`select set_config('sfsync.origin', 'inbound', true)`);
    await client.query(`insert into salesforce.item (name) values ('from Salesforce')`);
    await client.query('commit');
    expect(await logged()).toEqual([]);
  });

  it('counts as a pending change in the views and the engine sweep before it is drained', async () => {
    await client.query(`insert into salesforce.item (name) select 'Row ' || i from generate_series(1, 2) i`);
    const { rows: status } = await client.query(
      'select pending_changes::int, push_lag is not null as lagging from sfsync.mapping_status where mapping_id = $1',
      [mappingId],
    );
    expect(status).toEqual([{ pending_changes: 2, lagging: true }]);
    const { rows: outboxStatus } = await client.query('select pending::int from sfsync.outbox_status where mapping_id = $1', [mappingId]);
    expect(outboxStatus).toEqual([{ pending: 2 }]);
    const { rows: open } = await client.query(`select ops, in_flight from sfsync.open_changes where mapping_id = $1`, [mappingId]);
    expect(open).toEqual([
      { ops: ['insert'], in_flight: false },
      { ops: ['insert'], in_flight: false },
    ]);
    const { rows: toPush } = await client.query('select id::text from sfsync.mappings_to_push() as id');
    expect(toPush).toEqual([{ id: mappingId }]);
  });

  it("without the table's drain function (dropped by hand), sfsync.drain_inserts builds the same statement itself", async () => {
    await client.query('drop function salesforce.tg_item__drain_inserts(bigint[])');
    try {
      await client.query(`insert into salesforce.item (name, f0__c, f59__c, label__c, gone__c) values ('Row', 'first', 'last', 'calc', 'gone')`);
      expect(await drainChanges(client, mappingId)).toBe(1);
      expect((await outbox()).map((r) => [r.op, r.state, r.changed])).toEqual([['insert', 'new', { Name: 'Row', F0__c: 'first', F59__c: 'last' }]]);
    } finally {
      await client.query('begin');
      for (const statement of triggerStatements(mappingNames('salesforce', 'item'), mappingId, FIELDS, { drop: true, create: true })) {
        await client.query(statement);
      }
      await client.query('commit');
    }
  });

  it('a removed mapping takes its logged inserts with it', async () => {
    await client.query(`insert into salesforce.item (name) values ('orphan')`);
    expect(await logged()).toHaveLength(1);
    await client.query('begin');
    await client.query('select sfsync.remove_mapping($1)', [mappingId]);
    expect(await logged()).toEqual([]);
    const { rows } = await client.query(`select to_regprocedure('salesforce.tg_item__drain_inserts(bigint[])') as drain`);
    expect(rows).toEqual([{ drain: null }]);
    await client.query('rollback');
  });
});
