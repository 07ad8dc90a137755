/**
 * map / unmap / mappings / export / import / pause / resume / reload /
 * errors as subprocesses against a cloned database and the emulator; bad
 * input fails with one line and leaves the database exactly as it was.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliWorld, expectOneLineFailure, parseJson, snapshotDatabase, type CliWorld } from './cli-env.js';

let world: CliWorld;
/** The Account mapping's id (ids are not dense: planning reserves them). */
let accountId = 0;
beforeAll(async () => {
  world = await createCliWorld();
  expect((await world.sfsync(['connect'])).code).toBe(0);
});
afterAll(async () => {
  await world?.close();
});

/** Write a JSON file in the world's directory; returns its path. */
function jsonFile(name: string, value: unknown): string {
  const file = path.join(world.dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('bad input changes nothing', () => {
  it('unknown object, unknown field, quoted and 70-character names', async () => {
    const before = await snapshotDatabase(world.pool);
    const [object, field, quoted, long] = await Promise.all([
      world.sfsync(['map', 'NoSuchThing__c', '--fields', 'Name']),
      world.sfsync(['map', 'Account', '--fields', 'Name,Colour__c', '--mode', 'read_write']),
      world.sfsync(['map', 'Account', '--fields', 'Name', '--table', 'acc"ount']),
      world.sfsync(['map', 'Account', '--fields', 'Name', '--table', 'a'.repeat(70)]),
    ]);
    expectOneLineFailure(object, /NoSuchThing__c/);
    expectOneLineFailure(field, /Account has no field Colour__c.*\[MAPPING_UNKNOWN_FIELD\]/);
    expectOneLineFailure(quoted, /table.*acc\\?"ount.*\[MAPPING_INVALID\]/);
    expectOneLineFailure(long, /table.*40 bytes.*\[MAPPING_INVALID\]/);
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });

  it('a Heroku Connect export with an unknown key names the key and imports nothing', async () => {
    const before = await snapshotDatabase(world.pool);
    const file = jsonFile('hc-bad.json', {
      version: 1,
      connection: { app_name: 'x' },
      mappings: [
        { object_name: 'Account', config: { access: 'read_only', fields: { Name: {} } } },
        { object_name: 'Contact', config: { access: 'read_write', fields: { LastName: {} }, sf_turbo: true } },
      ],
    });
    expectOneLineFailure(await world.sfsync(['import', file]), /unknown key "mappings\[1\]\.config\.sf_turbo".*\[IMPORT_UNKNOWN_KEY\]/);
    // A valid file whose second mapping fails in Salesforce: the first is rolled back too.
    const half = jsonFile('hc-half.json', {
      mappings: [
        { object_name: 'Account', config: { access: 'read_only', fields: { Name: {} } } },
        { object_name: 'Contact', config: { access: 'read_write', fields: { Shoe_Size__c: {} } } },
      ],
    });
    expectOneLineFailure(await world.sfsync(['import', half]), /Mapping 2 \(Contact\) failed.*nothing was imported.*\[IMPORT_FAILED\]/);
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });
});

describe('mapping lifecycle', () => {
  it('map --plan prints the SQL and changes nothing; map applies it', async () => {
    const before = await snapshotDatabase(world.pool);
    const plan = await world.sfsync(['map', 'Account', '--fields', 'Name,Industry', '--mode', 'read_write', '--plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^-- Account → salesforce\.account \(read_write/);
    expect(plan.stdout).toMatch(/create table/i);
    expect(await snapshotDatabase(world.pool)).toBe(before);
    const applied = parseJson<{ mappingId: number; applied: boolean; fields: string[]; isNew: boolean }>(
      await world.sfsync(['map', 'Account', '--fields', 'Name,Industry', '--mode', 'read_write', '--json']),
    );
    expect(applied).toMatchObject({ applied: true, isNew: true, fields: ['Name', 'Industry'] });
    accountId = applied.mappingId;
    const { rows } = await world.pool.query("select to_regclass('salesforce.account') is not null as ok");
    expect(rows[0].ok).toBe(true);
  });

  it('mappings lists it; export and a Heroku Connect import round-trip', async () => {
    const list = parseJson<{ mappings: Array<{ sobject: string; mode: string; table: string }> }>(await world.sfsync(['mappings', '--json']));
    expect(list.mappings).toMatchObject([{ sobject: 'Account', mode: 'read_write', table: 'account' }]);
    const exported = await world.sfsync(['export']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ sfsync: 1, mappings: [{ sobject: 'Account', fields: ['Name', 'Industry'] }] });
    const hc = jsonFile('hc.json', {
      version: 1,
      connection: { app_name: 'legacy', organization_id: '00D000000000001' },
      mappings: [
        {
          object_name: 'Contact',
          config: {
            access: 'read_only',
            sf_notify_enabled: true,
            sf_polling_seconds: 600,
            sf_max_daily_api_calls: 30000,
            fields: { Id: {}, IsDeleted: {}, SystemModstamp: {}, LastName: {}, Email: {} },
            indexes: { Id: { unique: true }, SystemModstamp: { unique: false } },
          },
        },
      ],
    });
    const imported = parseJson<{ format: string; mappings: Array<{ sobject: string; mode: string; fields: string[] }>; notes: string[] }>(
      await world.sfsync(['import', hc, '--json']),
    );
    expect(imported.format).toBe('heroku-connect');
    expect(imported.mappings).toMatchObject([{ sobject: 'Contact', mode: 'read_only', fields: ['LastName', 'Email'] }]);
    expect(imported.notes.join(' ')).not.toMatch(/sf_max_daily_api_calls/);
    const { rows } = await world.pool.query(
      "select extract(epoch from poll_interval)::int as s, streaming, max_daily_api_calls from sfsync.mappings where sobject = 'Contact'",
    );
    // Heroku Connect's per-mapping cap is carried over: the poll stops for the day at it.
    expect(rows[0]).toEqual({ s: 600, streaming: 'auto', max_daily_api_calls: 30000 });
  });

  it('pause, resume and reload go through the SQL functions', async () => {
    expect(parseJson(await world.sfsync(['pause', 'account', '--json']))).toEqual({ paused: [accountId] });
    expect((await world.pool.query('select state from sfsync.mappings where id = $1', [accountId])).rows[0].state).toBe('paused');
    expect(parseJson(await world.sfsync(['resume', '--all', '--json']))).toEqual({ resumed: [accountId] });
    expect(parseJson(await world.sfsync(['reload', 'salesforce.account', '--json']))).toMatchObject({ mappingId: accountId, queued: true });
    const { rows } = await world.pool.query("select key from graphile_worker.jobs where task_identifier = 'sfsync:reload'");
    expect(rows).toContainEqual({ key: `sfsync:reload:${accountId}` });
  });

  it('errors lists failed changes with the Salesforce error; retry and discard settle them', async () => {
    await world.pool.query(
      `insert into sfsync.outbox (mapping_id, record_id, op, changed, state, error, done_at)
       values ($1, 1, 'update', '{"Name": null}', 'failed', '{"code": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]"}', now()),
              ($1, 2, 'update', '{"Name": "x"}', 'failed', '{"code": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "No x"}', now())`,
      [accountId],
    );
    const listed = parseJson<{ failed: Array<{ id: number; errorCode: string; errorMessage: string }> }>(await world.sfsync(['errors', '--json']));
    expect(listed.failed.map((f) => f.errorCode)).toEqual(['REQUIRED_FIELD_MISSING', 'FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    const human = await world.sfsync(['errors', '--mapping', 'Account']);
    expect(human.stdout).toMatch(/REQUIRED_FIELD_MISSING: Required fields are missing: \[Name\]/);
    expect(parseJson(await world.sfsync(['errors', 'retry', '--id', String(listed.failed[0]!.id), '--json']))).toEqual({ retried: 1 });
    expect(parseJson(await world.sfsync(['errors', 'discard', '--mapping', 'account', '--json']))).toEqual({ discarded: 1 });
    // An id that is no longer a failed change is refused, not counted as 0; --all says "all".
    expectOneLineFailure(
      await world.sfsync(['errors', 'retry', '--id', String(listed.failed[0]!.id)]),
      /are not failed changes.*`sfsync errors`.*\[SQLSTATE P0002\]/,
    );
    expect(parseJson(await world.sfsync(['errors', 'retry', '--all', '--json']))).toEqual({ retried: 0 });
    const { rows } = await world.pool.query('select state from sfsync.outbox order by id');
    expect(rows.map((r) => r.state)).toEqual(['new', 'ignored']);
  });

  it('pending lists the rows waiting to be sent, and why', async () => {
    // Left by the test above: the retried change of Account row 1 (its error cleared). One more waits for a parent.
    await world.pool.query(
      `insert into sfsync.outbox (mapping_id, record_id, op, changed, attempts, next_attempt_at, error)
       values ($1, 5, 'insert', '{"Name": "Child"}', 2, now() + interval '1 minute', '{"code": "WAITING_FOR_PARENT", "message": "waiting for row 4"}')`,
      [accountId],
    );
    try {
      const listed = parseJson<{ pending: Array<{ recordId: number; ops: string[]; inFlight: boolean; attempts: number; errorCode: string | null }> }>(
        await world.sfsync(['pending', '--mapping', 'Account', '--json']),
      );
      expect(listed.pending.map(({ recordId, ops, inFlight, attempts, errorCode }) => ({ recordId, ops, inFlight, attempts, errorCode }))).toEqual([
        { recordId: 1, ops: ['update'], inFlight: false, attempts: 0, errorCode: null },
        { recordId: 5, ops: ['insert'], inFlight: false, attempts: 2, errorCode: 'WAITING_FOR_PARENT' },
      ]);
      const human = await world.sfsync(['pending']);
      expect(human.stdout).toMatch(/Account\s+5\s+-\s+insert\s+.*WAITING_FOR_PARENT: waiting for row 4/);
      expectOneLineFailure(await world.sfsync(['pending', '--limit', '0']), /--limit must be a positive whole number.*\[USAGE\]/);
    } finally {
      await world.pool.query(`delete from sfsync.outbox where record_id = 5 and mapping_id = $1`, [accountId]);
    }
  });

  it('status shows both mappings; unmap removes one and keeps its table', async () => {
    const report = parseJson<{ mappings: Array<{ sobject: string; pendingChanges: number; state: string }> }>(await world.sfsync(['status', '--json']));
    expect(report.mappings.map((m) => m.sobject)).toEqual(['Account', 'Contact']);
    expect(report.mappings[0]!.pendingChanges).toBe(1);
    const plan = await world.sfsync(['unmap', 'Contact', '--plan']);
    expect(plan.stdout).toMatch(/select sfsync\.remove_mapping\(\d+, false\);/);
    expect(parseJson(await world.sfsync(['unmap', 'Contact', '--json']))).toMatchObject({ sobject: 'Contact', removed: true, droppedTable: false });
    const { rows } = await world.pool.query("select to_regclass('salesforce.contact') is not null as kept, (select count(*)::int from sfsync.mappings) as n");
    expect(rows[0]).toEqual({ kept: true, n: 1 });
  });
});
