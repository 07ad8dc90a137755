/**
 * src/db/locks.ts holds every advisory lock key: no two collide, the decimal
 * literal claim_outbox uses in SQL is CLAIM_LOCK_CLASS, postgres-migrations
 * still takes the key listed for it, and no source file defines a key of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as locks from '../../src/db/locks.js';
import { MIGRATIONS_DIR, PACKAGE_ROOT } from '../../src/paths.js';
import { openTestClient, type TestClient } from '../setup/database.js';

let t: TestClient;
beforeAll(async () => (t = await openTestClient()));
afterAll(() => t?.close());

/** Every .ts file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('advisory lock keys', () => {
  it('are distinct within each key space', () => {
    const keys = Object.entries(locks).filter(([name]) => name.endsWith('_LOCK_KEY'));
    const classes = Object.entries(locks).filter(([name]) => name.endsWith('_LOCK_CLASS'));
    expect(keys.length + classes.length).toBe(Object.keys(locks).length);
    expect(new Set(keys.map(([, v]) => BigInt(v))).size).toBe(keys.length);
    expect(new Set(classes.map(([, v]) => v)).size).toBe(classes.length);
    // A class is the first of two int4 keys.
    for (const [name, v] of classes) expect(Number.isInteger(v) && (v as number) < 2 ** 31, name).toBe(true);
  });

  it("claim_outbox's literal, in the migrations and in the migrated function, is CLAIM_LOCK_CLASS", async () => {
    const literals = readdirSync(MIGRATIONS_DIR)
      .flatMap((f) => [...readFileSync(path.join(MIGRATIONS_DIR, f), 'utf8').matchAll(/pg_advisory\w*lock\w*\((\d+)/g)])
      .map((m) => Number(m[1]));
    expect(literals.length).toBeGreaterThan(0);
    expect([...new Set(literals)]).toEqual([locks.CLAIM_LOCK_CLASS]);
    const { rows } = await t.client.query<{ def: string }>(`select pg_get_functiondef('sfsync.claim_outbox(bigint, text, integer)'::regprocedure) as def`);
    expect(rows[0]!.def).toContain(`pg_advisory_xact_lock(${locks.CLAIM_LOCK_CLASS}, p_mapping_id::integer)`);
  });

  it('POSTGRES_MIGRATIONS_LOCK_KEY is the key postgres-migrations takes', () => {
    const require = createRequire(import.meta.url);
    const withLock = readFileSync(path.join(path.dirname(require.resolve('postgres-migrations')), 'with-lock.js'), 'utf8');
    expect(withLock).toContain(`pg_try_advisory_lock(${locks.POSTGRES_MIGRATIONS_LOCK_KEY})`);
  });

  it('no source file outside src/db/locks.ts writes a key of its own', () => {
    const own = path.join(PACKAGE_ROOT, 'src', 'db', 'locks.ts');
    const offenders = ['src', 'bench', 'scripts']
      .flatMap((dir) => sources(path.join(PACKAGE_ROOT, dir)))
      .filter((file) => file !== own && /\b0x5f5[ce]_?[0-9a-f]{4}\b|\b159986483\d\b/i.test(readFileSync(file, 'utf8')));
    expect(offenders.map((f) => path.relative(PACKAGE_ROOT, f))).toEqual([]);
  });
});
