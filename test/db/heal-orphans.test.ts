/**
 * healOrphans: a PARENT_FAILED child goes back to 'new' once its parent row
 * has an sfid, however it got it; nothing else is retried.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryAllOrphans } from '../../src/outbox/outbox.js';
import { openTestClient, type TestClient } from '../setup/database.js';

let t: TestClient;
let client: pg.Client;
let parentMapping: string;

beforeAll(async () => {
  t = await openTestClient();
  client = t.client;
  await client.query(`insert into sfsync.connections (name, login_url) values ('c', 'http://127.0.0.1:1')`);
  const { rows } = await client.query<{ id: string }>(
    `insert into sfsync.mappings (connection_id, sobject, table_name, fields, mode) select id, 'Account', 'account', '{Name}', 'read_write' from sfsync.connections returning id::text`,
  );
  parentMapping = rows[0]!.id;
  await client.query('create schema if not exists salesforce; create table salesforce.account (id bigint primary key, sfid varchar(18))');
  await client.query(`insert into salesforce.account (id) values (12)`);
});

afterAll(() => t?.close());

async function failed(error: object): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into sfsync.outbox (mapping_id, record_id, op, state, changed, error) values (99, 1, 'insert', 'failed', '{"AccountId": "@12"}', $1) returning id::text`,
    [JSON.stringify(error)],
  );
  return rows[0]!.id;
}

const stateOf = async (id: string) => (await client.query<{ state: string }>('select state from sfsync.outbox where id = $1', [id])).rows[0]!.state;

describe('retryAllOrphans', () => {
  it('retries a PARENT_FAILED child only once its parent has an sfid, and nothing else', async () => {
    const child = await failed({ code: 'PARENT_FAILED', message: 'parent failed', parent: { mappingId: parentMapping, recordId: '12' } });
    const other = await failed({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no' });

    expect(await retryAllOrphans(client)).toBe(0);
    expect(await stateOf(child)).toBe('failed');

    await client.query(`update salesforce.account set sfid = '001000000000001AAA' where id = 12`);
    expect(await retryAllOrphans(client)).toBe(1);
    expect(await stateOf(child)).toBe('new');
    expect(await stateOf(other)).toBe('failed');
    expect(await retryAllOrphans(client)).toBe(0);
  });
});
