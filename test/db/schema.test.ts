/**
 * The checked-in description of the schema matches what the migrations make:
 * sql/schema.sql (the catalog) and src/db/database.generated.ts (the kysely
 * `Database` interface) both equal what src/db/catalog.ts reads from a
 * freshly migrated database. A failure shows the diff; after changing a
 * migration, run `npm run schema:dump` and commit both files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog, generateDatabaseTypes } from '../../src/db/catalog.js';
import { OUTBOX_LIVE_STATES, type Database, type OutboxState } from '../../src/db/database.js';
import { createKysely } from '../../src/db/kysely.js';
import { migrate } from '../../src/db/migrate.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';

const FIX = 'the migrated catalog differs from the checked-in file: run `npm run schema:dump` and commit the result';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  // Not the template clone: migrate an empty database here, as a user's first `sfsync migrate` does.
  db = await createTestDatabase({ clone: false });
  await migrate(db.url);
  client = new pg.Client(db.url);
  await client.connect();
});

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await db?.drop();
});

function checkedIn(file: string): string {
  return readFileSync(path.join(PACKAGE_ROOT, file), 'utf8');
}

describe('schema description', () => {
  it('sql/schema.sql is the migrated catalog of the sfsync schema', async () => {
    expect(await dumpCatalog(client), FIX).toBe(checkedIn('sql/schema.sql'));
  });

  it('src/db/database.generated.ts is the kysely Database interface of that catalog', async () => {
    expect(await generateDatabaseTypes(client), FIX).toBe(checkedIn('src/db/database.generated.ts'));
  });

  it('the dump is deterministic and sees a change to the schema', async () => {
    const before = await dumpCatalog(client);
    expect(await dumpCatalog(client)).toBe(before);
    await client.query('begin');
    try {
      await client.query('alter table sfsync.engines add column host text');
      const changed = await dumpCatalog(client);
      expect(changed).not.toBe(before);
      expect(changed).toContain('  host text\n);');
    } finally {
      await client.query('rollback');
    }
  });

  it('every table and view of the interface can be read through kysely', async () => {
    const { rows } = await client.query<{ name: keyof Database }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'sfsync' and c.relkind in ('r', 'v') and c.relname <> 'migrations' order by 1`,
    );
    expect(rows.length).toBeGreaterThan(10);
    const kysely = createKysely(new pg.Pool({ connectionString: db.url, max: 1 }));
    try {
      for (const { name } of rows) expect(await kysely.selectFrom(name).selectAll().limit(0).execute(), name).toEqual([]);
      // The interface's types are what node-postgres returns.
      const state: OutboxState = 'new';
      const compiled = kysely.selectFrom('outbox').select(['id', 'state']).where('state', '=', state).compile();
      expect(compiled.sql).toBe('select "id", "state" from "sfsync"."outbox" where "state" = $1');
    } finally {
      await kysely.destroy();
    }
  });

  it('OUTBOX_LIVE_STATES is the predicate of the outbox_live index', async () => {
    const { rows } = await client.query<{ predicate: string }>(
      `select pg_get_expr(i.indpred, i.indrelid) as predicate from pg_index i
        where i.indexrelid = 'sfsync.outbox_live'::regclass`,
    );
    const states = [...rows[0]!.predicate.matchAll(/'(\w+)'::sfsync\.outbox_state/g)].map((m) => m[1]);
    expect(OUTBOX_LIVE_STATES).toBe(`(${states.map((s) => `'${s}'`).join(', ')})`);
  });
});
