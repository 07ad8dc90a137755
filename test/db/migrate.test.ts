import { readdirSync } from 'node:fs';
import pg from 'pg';
import { loadMigrationFiles } from 'postgres-migrations';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { isSfsyncError } from '../../src/errors.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import { runCli } from '../support/run-cli.js';

const dropped: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dropped.map((db) => db.drop()));
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ clone: false });
  dropped.push(db);
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  it('applies every migration on an empty database, then is a no-op', async () => {
    const db = await emptyDatabase();
    const first = await migrate(db.url);
    expect(first.applied).toEqual([
      '0_create-migrations-table.sql',
      ...readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.sql'))
        .sort((a, b) => parseInt(a) - parseInt(b)),
    ]);
    expect(first.applied).toContain('1_baseline.sql');
    const tables = await query<{ table_name: string }>(db.url, `select table_name from information_schema.tables where table_schema = 'sfsync' order by 1`);
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['connections', 'mappings', 'outbox', 'poll_windows', 'stream_state', 'conflicts', 'migrations']),
    );
    const worker = await query(db.url, `select 1 from information_schema.schemata where schema_name = 'graphile_worker'`);
    expect(worker).toHaveLength(1);

    const second = await migrate(db.url);
    expect(second.applied).toEqual([]);
  });

  it("leaves the host application's public.migrations untouched", async () => {
    const db = await emptyDatabase();
    await query(db.url, `create table public.migrations (id int primary key, name text); insert into public.migrations values (1, 'host app')`);
    await migrate(db.url);
    const rows = await query<{ id: number; name: string }>(db.url, 'select id, name from public.migrations');
    expect(rows).toEqual([{ id: 1, name: 'host app' }]);
    const ours = await query<{ n: string }>(db.url, 'select count(*) as n from sfsync.migrations');
    // postgres-migrations' 0_create-migrations-table and every file, recorded in sfsync.migrations.
    expect(Number(ours[0]?.n)).toBe(readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length + 1);
  });

  it('lets two processes migrate one database at once', async () => {
    const db = await emptyDatabase();
    const env = { DATABASE_URL: db.url };
    const [a, b] = await Promise.all([runCli(['migrate', '--json'], { env }), runCli(['migrate', '--json'], { env })]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const applied = [a, b].map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied.length);
    // One of them did the work (every file, plus postgres-migrations' own
    // 0_create-migrations-table), the other found the schema up to date.
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;
    expect(applied.sort((x, y) => x - y)).toEqual([0, files + 1]);
  });

  it('refuses, in one line naming the fix, a database made by the pre-release migrations, and changes nothing', async () => {
    const db = await emptyDatabase();
    const zero = (await loadMigrationFiles(MIGRATIONS_DIR))[0]!;
    // sfsync.migrations as the pre-release files 1_connections.sql … 21_reserved_schemas.sql recorded them.
    const rows = [[0, 'create-migrations-table', zero.hash], ...PRE_RELEASE_ROWS];
    await query(
      db.url,
      `create schema sfsync;
       create table sfsync.migrations (id integer primary key, name varchar(100) unique not null, hash varchar(40) not null, executed_at timestamp default current_timestamp);
       insert into sfsync.migrations (id, name, hash) values ${rows.map(([id, name, hash]) => `(${id}, '${name}', '${hash}')`).join(', ')};
       create table sfsync.connections (id bigint generated always as identity primary key, name text not null unique)`,
    );
    const error = await migrate(db.url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isSfsyncError(error, 'SCHEMA_PRE_RELEASE'), String(error)).toBe(true);

    const result = await runCli(['migrate'], { env: { DATABASE_URL: db.url } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
    expect(result.stderr).toMatch(/created by a pre-release sfsync .*recreate it: `sfsync demo --reset`, or drop the sfsync schema/);
    expect(result.stderr).not.toMatch(/Hashes don't match/);
    // Nothing ran: no baseline objects, no new rows, no graphile-worker schema.
    const after = await query<{ n: string; outbox: string | null; worker: string | null }>(
      db.url,
      `select (select count(*) from sfsync.migrations) as n, to_regclass('sfsync.outbox')::text as outbox,
              (select nspname::text from pg_namespace where nspname = 'graphile_worker') as worker`,
    );
    expect(after).toEqual([{ n: String(rows.length), outbox: null, worker: null }]);
  });

  it('refuses, in one line, a database whose applied migration file was edited since', async () => {
    const db = await emptyDatabase();
    await migrate(db.url);
    await query(db.url, `update sfsync.migrations set hash = repeat('0', 40) where id = 1`);
    const result = await runCli(['migrate'], { env: { DATABASE_URL: db.url } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
    expect(result.stderr).toMatch(/Migration 1 \(baseline\) was applied .* sql\/migrations\/1_baseline\.sql; applied migrations are never edited/);
  });

  it('fails with one line naming DATABASE_URL when Postgres is unreachable', async () => {
    const result = await runCli(['migrate'], { env: { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/check DATABASE_URL/);
  });
});

/** The rows the pre-release migrations (folded into 1_baseline.sql) left in sfsync.migrations: id, name, sha1 of file name + text. */
const PRE_RELEASE_ROWS: [number, string, string][] = [
  [1, 'connections', '04426bfdb58eb23e951118884afef9e88d303ae2'],
  [2, 'mappings', '9fb8f587359e21f5940c8800acca172da117ea17'],
  [3, 'outbox', 'be7c153c14302082209c24f7712ec711e3bcbfab'],
  [4, 'poll_windows', '050ad1319f0963850b84caad806825c52a89afa3'],
  [5, 'stream_state', '7b5f74567e2f287285013b18d030cd6bd707ecce'],
  [6, 'conflicts', '76318e2d28c6104f8fbcec5e1fd780015544d34c'],
  [7, 'operator_views', '9ff6d5fea6db9ef1118da7613e837463cfda0182'],
  [8, 'inbound_counters', 'd9512893c1f2c91dff5def8bd0ea026798a07cc8'],
  [9, 'stream_pending_replay', '590c154979328512c27e786a7fbdd2de500b0f04'],
  [10, 'capture', '40a81903ea32a31f0b0c0e895032d406ef442b34'],
  [11, 'outbox_functions', '629730b2a45e7006c9d9df4333d32a6fa9494959'],
  [12, 'retry_failed_fix', '480d397073f44bd58d95bd9c623c72ec702bf464'],
  [13, 'claim_outbox_index_path', 'cc505b2b9c7e94211df7687bed381297c4fbdb2e'],
  [14, 'capture_per_table', '61fb1f862e5bea93d88ed2e2a365f58ae6a8c2ad'],
  [15, 'engines', '035cc0b37dbb4216cc047f2e6ee64d0977d01e18'],
  [16, 'outbox_lean_indexes', '30907762a918b1a19fb22755c0823bc0cc91a10a'],
  [17, 'conflicts_by_field', 'f08651907caa42b298422cbb25ba6202a3cd8518'],
  [18, 'open_changes', '0a425944479623f0a9bf98de2f9e2b20b7fd9d66'],
  [19, 'deferred_inserts', 'e6b61436eb8b131ed86309035a97365abcf6e108'],
  [20, 'refuse_hostile_arguments', '60f8c7f21a51d91c05343aecb0ad2d77b738ee9c'],
  [21, 'reserved_schemas', 'de7ab56abf45bd303d9fdb83545214d0f35ceece'],
];
