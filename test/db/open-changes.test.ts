/**
 * sfsync.open_changes lists each mapped row with changes still to
 * be sent (new or pending), once, from outbox_live.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestClient, type TestClient } from '../setup/database.js';

let t: TestClient;
let client: pg.Client;
let mappingId: string;

beforeAll(async () => {
  t = await openTestClient();
  client = t.client;
  await client.query(`insert into sfsync.connections (name, login_url) values ('c', 'http://127.0.0.1:1')`);
  const { rows } = await client.query<{ id: string }>(
    `insert into sfsync.mappings (connection_id, sobject, table_name, fields, mode) select id, 'Contact', 'contact', '{LastName}', 'read_write' from sfsync.connections returning id::text`,
  );
  mappingId = rows[0]!.id;
});

afterAll(() => t?.close());

describe('sfsync.open_changes', () => {
  it('shows one line per row with unsent changes: ops in order, in flight, retries and the last error', async () => {
    const waiting = { code: 'WAITING_FOR_PARENT', message: 'parent row 7 has no Salesforce Id yet' };
    await client.query(
      `insert into sfsync.outbox (mapping_id, record_id, sfid, op, state, attempts, next_attempt_at, error, created_at) values
         ($1, 1, null,                 'insert', 'claimed', 0, now(),                        null, now() - interval '3 minutes'),
         ($1, 1, null,                 'update', 'new',     0, now(),                        null, now() - interval '2 minutes'),
         ($1, 2, '003000000000001AAA', 'update', 'new',     3, now() + interval '40 seconds', $2,   now() - interval '1 minute'),
         ($1, 3, '003000000000002AAA', 'update', 'success', 1, now(),                        null, now() - interval '1 hour'),
         ($1, 4, '003000000000003AAA', 'update', 'failed',  1, now(),                        $2,   now() - interval '1 hour')`,
      [mappingId, JSON.stringify(waiting)],
    );
    const { rows } = await client.query(
      `select record_id::int, sfid, ops, in_flight, attempts, next_attempt_at > now() as backing_off, last_error,
              now() - waiting_since > interval '150 seconds' as waiting_long, table_name
         from sfsync.open_changes where mapping_id = $1 order by record_id`,
      [mappingId],
    );
    expect(rows).toEqual([
      {
        record_id: 1,
        sfid: null,
        ops: ['insert', 'update'],
        in_flight: true,
        attempts: 0,
        backing_off: null,
        last_error: null,
        waiting_long: true,
        table_name: 'contact',
      },
      {
        record_id: 2,
        sfid: '003000000000001AAA',
        ops: ['update'],
        in_flight: false,
        attempts: 3,
        backing_off: true,
        last_error: waiting,
        waiting_long: false,
        table_name: 'contact',
      },
    ]);
  });

  it('reads the outbox through outbox_live', async () => {
    await client.query('begin');
    try {
      await client.query('set local enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>('explain select * from sfsync.open_changes where mapping_id = $1', [mappingId]);
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/outbox_live/);
    } finally {
      await client.query('rollback');
    }
  });
});
