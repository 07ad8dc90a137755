import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFrom, copyText } from '../../src/inbound/copy-in.js';
import { openTestClient, type TestClient } from '../setup/database.js';

let t: TestClient;
let client: pg.Client;

beforeAll(async () => {
  t = await openTestClient();
  client = t.client;
  await client.query('create table copy_target (sfid text primary key, name text)');
});

afterAll(() => t?.close());

const line = (...values: Array<string | null>) => Buffer.from(`${values.map(copyText).join('\t')}\n`);

describe('copyFrom', () => {
  it('copies rows, escaping text and nulls exactly', async () => {
    const rows = await copyFrom(client, 'copy copy_target from stdin', [line('001A', 'tab\there\nnew\\line'), line('001B', null)]);
    expect(rows).toBe(2);
    const { rows: stored } = await client.query('select sfid, name from copy_target order by sfid');
    expect(stored).toEqual([
      { sfid: '001A', name: 'tab\there\nnew\\line' },
      { sfid: '001B', name: null },
    ]);
  });

  it('rejects when Postgres refuses the COPY, and the connection stays usable', async () => {
    // A duplicate key: the server answers with an error instead of CommandComplete.
    await expect(copyFrom(client, 'copy copy_target from stdin', [line('001A', 'again')])).rejects.toThrow(/duplicate key/);
    const { rows } = await client.query('select count(*)::int as n from copy_target');
    expect(rows[0].n).toBe(2);
  });
});
