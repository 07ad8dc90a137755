import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Database } from './database.js';

/** A kysely instance over an existing pool, scoped to the `sfsync` schema. Destroying it ends the pool. */
export function createKysely(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }).withSchema('sfsync');
}
