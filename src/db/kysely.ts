import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { SfsyncDatabase } from './database.js';

/** A kysely instance over an existing pool, scoped to the `sfsync` schema. Destroying it ends the pool. */
export function createKysely(pool: pg.Pool): Kysely<SfsyncDatabase> {
  return new Kysely<SfsyncDatabase>({ dialect: new PostgresDialect({ pool }) }).withSchema('sfsync');
}
