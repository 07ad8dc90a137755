/**
 * The kysely types of the `sfsync` schema and the constants that name parts
 * of it. The types are generated from the migrated catalog
 * (database.generated.ts, written by `npm run schema:dump`; docs/schema.md),
 * so they cannot drift from the migrations: test/db/schema.test.ts fails
 * when they do.
 */
export type * from './database.generated.js';

/**
 * The outbox states still to be dealt with, as an SQL list: the predicate of
 * the outbox_live index, the only index besides the primary key (checked by
 * test/db/schema.test.ts). A query that names these states (or a subset) can
 * use it; finished rows (success, merged, ignored) have no per-record index.
 */
export const OUTBOX_LIVE_STATES = "('new', 'claimed', 'failed')";
