/**
 * What a running engine does with a `sfsync.mappings` row made hostile from
 * SQL (issue 19): a pgType that is an expression, a row filter that breaks
 * out of its parentheses or reads an unknown field. Each is refused before it
 * reaches a query: the mapping is marked in last_error and skipped (no failed
 * poll windows), and it resumes by itself once the row is corrected. Also: a
 * failed mapping request keeps its own error and code and is not loaded, and
 * a job of a removed mapping ends instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;
let accountMapping: string;

beforeAll(async () => {
  h = await startSyncHarness();
  accountMapping = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Industry'], mode: 'read_only' });
  await h.startEngine();
  await waitLoaded(h, accountMapping);
});
afterAll(() => h?.stop());

async function lastError(mappingId: string): Promise<{ code: string; message: string } | null> {
  const { rows } = await h.pool.query<{ last_error: { code: string; message: string } | null }>('select last_error from sfsync.mappings where id = $1', [
    mappingId,
  ]);
  return rows[0]!.last_error;
}

async function failedWindowsSince(mappingId: string, since: Date): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>(
    "select count(*)::int as n from sfsync.poll_windows where mapping_id = $1 and outcome = 'failed' and started_at >= $2",
    [mappingId, since],
  );
  return rows[0]!.n;
}

/** Make the stored row hostile, see it marked and skipped, put it back, see the record arrive and the mark go. */
async function expectRefusedThenResumed(hostile: string, restore: string, marked: RegExp, name: string): Promise<void> {
  const since = new Date();
  await h.pool.query(hostile, [accountMapping]);
  const sf = await sfConnection(h);
  const created = await sf.sobject('Account').create({ Name: name, Industry: 'Energy' });
  const sfid = (created as { id: string }).id;
  await waitFor(async () => (await lastError(accountMapping))?.code === 'MAPPING_STORED_INVALID', { what: 'the mapping marked unusable' });
  expect((await lastError(accountMapping))!.message).toMatch(marked);
  expect((await lastError(accountMapping))!.message).not.toContain('\n');
  expect(await rowOf(h, 'account', sfid)).toBeUndefined();
  await h.pool.query(restore, [accountMapping]);
  await waitFor(async () => (await rowOf(h, 'account', sfid)) !== undefined, { what: `${name} synced after the row was corrected` });
  expect(await rowOf(h, 'account', sfid)).toMatchObject({ name, industry: 'Energy' });
  await waitFor(async () => (await lastError(accountMapping)) === null, { what: 'the mark cleared' });
  expect(await failedWindowsSince(accountMapping, since)).toBe(0);
}

describe('a stored mapping changed from SQL', () => {
  it('refuses a pgType that is an expression (it changed synced values) until the type is restored', async () => {
    await expectRefusedThenResumed(
      `update sfsync.mappings set field_info = jsonb_set(field_info, '{0,pgType}', to_jsonb('text || ''-INJECTED''::text'::text)) where id = $1`,
      `update sfsync.mappings set field_info = jsonb_set(field_info, '{0,pgType}', '"varchar(255)"') where id = $1`,
      /stored field_info\[0\]\.pgType "text \|\| '-INJECTED'::text" is not one sfsync would write; re-apply the mapping with `sfsync map`/,
      'Typed Co',
    );
    const { rows } = await h.pool.query("select count(*)::int as n from salesforce.account where name like '%INJECTED%'");
    expect(rows[0].n).toBe(0);
  });

  it('refuses a row filter that breaks out of its parentheses instead of failing every poll', async () => {
    await expectRefusedThenResumed(
      `update sfsync.mappings set row_filter = 'Name = ''zzz'') OR (Id != null' where id = $1`,
      `update sfsync.mappings set row_filter = 'Industry = ''Energy''' where id = $1`,
      /stored row_filter \(is not a SOQL WHERE expression.*\) "Name = 'zzz'\) OR \(Id != null"/,
      'Filtered Co',
    );
  });

  it('refuses a row filter reading a field the object does not have, checked against describe', async () => {
    await expectRefusedThenResumed(
      `update sfsync.mappings set row_filter = 'Nope__c = ''x''' where id = $1`,
      `update sfsync.mappings set row_filter = null where id = $1`,
      /stored row_filter is unusable: .*reads Nope__c, which Account does not have/,
      'Described Co',
    );
  });
});

describe('mapping requests and removed mappings', () => {
  it('a failed request keeps its own error code, is not loaded, and is not retried until the row changes', async () => {
    const { rows } = await h.pool.query<{ id: string }>(
      "insert into sfsync.mappings (connection_id, sobject, table_name, fields, mode) values ($1, 'Contact', 'contact', '{LastName,Nope__c}', 'read_only') returning id::text",
      [h.connectionId],
    );
    const id = rows[0]!.id;
    await waitFor(async () => (await lastError(id)) !== null, { what: 'the request to fail' });
    const error = await lastError(id);
    expect(error).toMatchObject({ code: 'MAPPING_UNKNOWN_FIELD' });
    expect(error!.message).toMatch(/Contact has no field Nope__c/);
    // A later request is applied (so the engine has swept since); the failed one kept its error and was never loaded.
    const { rows: later } = await h.pool.query<{ id: string }>(
      "insert into sfsync.mappings (connection_id, sobject, table_name, fields, mode) values ($1, 'Lead', 'lead', '{LastName,Company}', 'read_only') returning id::text",
      [h.connectionId],
    );
    await waitLoaded(h, later[0]!.id);
    expect(await lastError(id)).toEqual(error);
    const { rows: state } = await h.pool.query("select state, to_regclass('salesforce.contact') as t from sfsync.mappings where id = $1", [id]);
    expect(state[0]).toEqual({ state: 'new', t: null });
  });

  it('a job queued for a mapping that was removed ends instead of failing', async () => {
    await h.pool.query(`select graphile_worker.add_job('sfsync:poll', json_build_object('mappingId', '987654'), job_key := 'test:removed-mapping')`);
    await h.pool.query(`select graphile_worker.add_job('sfsync:reload', json_build_object('mappingId', '987654'), job_key := 'test:removed-mapping-reload')`);
    await waitFor(
      async () => {
        const { rows } = await h.pool.query("select count(*)::int as n from graphile_worker.jobs where key like 'test:removed-mapping%'");
        return rows[0].n === 0;
      },
      { what: 'the jobs of the removed mapping to end' },
    );
  });
});
