/**
 * Typed queries on sfsync's own tables: kysely builds and type-checks them
 * against the `Database` interface generated from the migrated catalog
 * (database.generated.ts), and the caller's pg pool or client runs them, so
 * they join the caller's transaction and cost what a hand-written query does
 * (one round trip; kysely never holds a connection of its own here).
 *
 * @example
 * await run(db, sfsync.updateTable('poll_windows').set({ outcome: 'failed' }).where('id', '=', id));
 *
 * Statements on mapped tables (names known only at run time) and calls of
 * sfsync's SQL functions stay SQL text: the interface cannot type them.
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Compilable, type InferResult } from 'kysely';
import type pg from 'pg';
import type { Database } from './database.js';

/** kysely's `sql`, for modules the CLI loads eagerly: one `await import()` of this file brings all three. */
export { sql } from 'kysely';

/** A query builder over the `sfsync` schema that compiles only; {@link run} executes. */
export const sfsync = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
}).withSchema('sfsync');

/** Compile `query` and run it on `db`; returns its rows, typed by the query. */
export async function run<Q extends Compilable>(db: pg.Pool | pg.ClientBase, query: Q): Promise<InferResult<Q>> {
  const compiled = query.compile();
  const result = await db.query(compiled.sql, compiled.parameters as unknown[]);
  return result.rows as InferResult<Q>;
}
