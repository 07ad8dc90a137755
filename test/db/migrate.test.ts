import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
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
    expect(first.applied).toContain('1_connections.sql');
    expect(first.applied).toContain('6_conflicts.sql');
    const tables = await query<{ table_name: string }>(
      db.url,
      `select table_name from information_schema.tables where table_schema = 'sfsync' order by 1`,
    );
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
    expect(Number(ours[0]?.n)).toBeGreaterThan(5);
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

  it('fails with one line naming DATABASE_URL when Postgres is unreachable', async () => {
    const result = await runCli(['migrate'], { env: { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/check DATABASE_URL/);
  });
});
