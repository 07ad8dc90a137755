/**
 * The baseline migration: the outbox's state changes as SQL functions, called through
 * src/outbox/outbox.ts: releasing a failed push's claims, settling a round,
 * merging failed changes into a re-insert, dropping fields Salesforce won,
 * and queueing a re-send of the values that won (writable fields only, in
 * the capture trigger's JSON form, nothing equal to the value in flight).
 */
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dropFields, mergeFailed, queueResend, releaseClaims, settle } from '../../src/outbox/outbox.js';
import { openTestClient, type TestClient } from '../setup/database.js';

let t: TestClient;
let client: pg.Client;
let mappingId: string;

const field = (name: string, extra: object = {}) => ({
  name,
  column: name.toLowerCase(),
  type: 'string',
  pgType: 'text',
  createable: true,
  updateable: true,
  calculated: false,
  referenceTo: [],
  ...extra,
});

beforeAll(async () => {
  t = await openTestClient();
  client = t.client;
  await client.query(`insert into sfsync.connections (name, login_url) values ('c', 'http://127.0.0.1:1')`);
  await client.query(
    'create schema salesforce; create table salesforce.item (id bigint primary key, sfid varchar(18), name text, at__c timestamp(3), label__c text)',
  );
  const fieldInfo = [
    field('Name'),
    field('At__c', { type: 'datetime', pgType: 'timestamp(3)' }),
    field('Label__c', { calculated: true, createable: false, updateable: false }),
  ];
  const { rows } = await client.query<{ id: string }>(
    `insert into sfsync.mappings (connection_id, sobject, table_name, fields, field_info, mode)
     select id, 'Item__c', 'item', '{Name}', $1::jsonb, 'read_write' from sfsync.connections returning id::text`,
    [JSON.stringify(fieldInfo)],
  );
  mappingId = rows[0]!.id;
});
afterAll(() => t?.close());
beforeEach(async () => {
  await client.query('delete from sfsync.outbox');
  await client.query('delete from salesforce.item');
});

async function insert(values: { record: number; op?: string; state?: string; changed?: object; claimedBy?: string }): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into sfsync.outbox (mapping_id, record_id, op, state, changed, claimed_by, claimed_at) values ($1, $2, $3, $4, $5, $6, case when $6::text is null then null else now() end) returning id::text`,
    [mappingId, values.record, values.op ?? 'update', values.state ?? 'new', JSON.stringify(values.changed ?? { Name: 'x' }), values.claimedBy ?? null],
  );
  return rows[0]!.id;
}

async function row(id: string): Promise<Record<string, unknown>> {
  const { rows } = await client.query(
    'select state::text, changed, sfid, attempts, unknown_since is not null as unknown, claimed_by, done_at is not null as done from sfsync.outbox where id = $1',
    [id],
  );
  return rows[0];
}

describe('the outbox state machine', () => {
  it("release_claims hands back only the named claimer's claims, as unknown outcomes", async () => {
    const mine = await insert({ record: 1, state: 'claimed', claimedBy: 'push-a' });
    const theirs = await insert({ record: 2, state: 'claimed', claimedBy: 'push-b' });
    expect(await releaseClaims(client, mappingId, 'push-a')).toBe(1);
    expect(await row(mine)).toMatchObject({ state: 'new', unknown: true, claimed_by: null });
    expect(await row(theirs)).toMatchObject({ state: 'claimed', claimed_by: 'push-b' });
  });

  it("settle_outbox records each row's outcome; merge_failed folds failed changes into a re-insert", async () => {
    const a = await insert({ record: 1, state: 'claimed', claimedBy: 'p' });
    const b = await insert({ record: 2, state: 'claimed', claimedBy: 'p' });
    const c = await insert({ record: 3, state: 'claimed', claimedBy: 'p' });
    const old = await insert({ record: 1, state: 'failed' });
    await settle(client, {
      ids: [a, b, c],
      states: ['success', 'new', 'failed'],
      sfids: ['a01000000000001AAA', null, null],
      errors: [null, null, '{"code":"X"}'],
      incs: [0, 1, 0],
      nexts: [null, new Date(), null],
      unknown: [false, true, false],
    });
    expect(await row(a)).toMatchObject({ state: 'success', sfid: 'a01000000000001AAA', done: true, claimed_by: null });
    expect(await row(b)).toMatchObject({ state: 'new', attempts: 1, unknown: true, done: false });
    expect(await row(c)).toMatchObject({ state: 'failed', done: true });
    expect(await mergeFailed(client, mappingId, ['1'])).toBe(1);
    expect(await row(old)).toMatchObject({ state: 'merged', done: true });
  });

  it('drop_fields drops fields from unsent changes only; an update left empty is ignored', async () => {
    const both = await insert({ record: 1, changed: { Name: 'a', At__c: '2024-01-01T00:00:00' } });
    const only = await insert({ record: 2, changed: { Name: 'b' } });
    const inFlight = await insert({ record: 3, state: 'claimed', changed: { Name: 'c' }, claimedBy: 'p' });
    expect(await dropFields(client, [both, only, inFlight], ['Name'])).toBe(2);
    expect(await row(both)).toMatchObject({ state: 'new', changed: { At__c: '2024-01-01T00:00:00' } });
    expect(await row(only)).toMatchObject({ state: 'ignored', changed: {}, done: true });
    expect(await row(inFlight)).toMatchObject({ state: 'claimed', changed: { Name: 'c' } });
  });

  it("queue_resend queues the columns' values behind the change in flight: writable fields, capture form, none equal to the value in flight", async () => {
    await client.query(
      `insert into salesforce.item (id, sfid, name, at__c, label__c) values (1, 'a01000000000001AAA', 'Salesforce', '2024-01-02 03:04:05.123', 'L'), (2, 'a01000000000002AAA', 'Same', null, null)`,
    );
    const one = await insert({ record: 1, state: 'claimed', claimedBy: 'p', changed: { Name: 'Postgres', At__c: '2023-01-01T00:00:00', Label__c: 'old' } });
    const two = await insert({ record: 2, state: 'claimed', claimedBy: 'p', changed: { Name: 'Same' } });
    const queued = await queueResend(client, mappingId, [
      { outboxId: one, field: 'Name' },
      { outboxId: one, field: 'At__c' },
      { outboxId: one, field: 'Label__c' },
      { outboxId: two, field: 'Name' },
    ]);
    expect(queued).toBe(1);
    const { rows } = await client.query(`select record_id::int, sfid, op, state::text, changed, old from sfsync.outbox where state = 'new'`);
    expect(rows).toEqual([
      {
        record_id: 1,
        sfid: 'a01000000000001AAA',
        op: 'update',
        state: 'new',
        changed: { Name: 'Salesforce', At__c: '2024-01-02T03:04:05.123' },
        old: { Name: 'Postgres', At__c: '2023-01-01T00:00:00' },
      },
    ]);
  });

  it('refuses calls that cannot mean anything', async () => {
    await expect(client.query('select sfsync.release_claims(null, null)')).rejects.toMatchObject({ code: '22004' });
    await expect(client.query('select sfsync.drop_fields(null, null)')).rejects.toMatchObject({ code: '22004' });
    await expect(client.query('select sfsync.retry_orphans(null, null)')).rejects.toThrow(/retry_all_orphans\(\) takes every parent/);
    await expect(client.query(`select sfsync.settle_outbox('{1,2}', '{new}', '{}', '{}', '{}', '{}', '{}')`)).rejects.toMatchObject({ code: '22023' });
  });
});
