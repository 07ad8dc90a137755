/**
 * Every Postgres advisory lock key sfsync takes, in one place so that no two
 * uses collide and each says why it exists.
 *
 * Postgres keeps two key spaces that never collide with each other: one
 * bigint (`pg_advisory_lock(key)`, the `*_LOCK_KEY` constants) and a pair of
 * integers (`pg_advisory_lock(class, id)`, the `*_LOCK_CLASS` constants, with
 * a mapping or connection id as the second half). Ours all start 0x5f5c or
 * 0x5f5e. postgres-migrations takes its own bigint key
 * ({@link POSTGRES_MIGRATIONS_LOCK_KEY}); graphile-worker takes none of these.
 *
 * A key used inside SQL (claim_outbox) is written there as a decimal
 * literal; test/db/locks.test.ts checks that literal, in the migration and
 * in the migrated function, equals the constant here.
 */

/** Session lock held while migrating, so two processes starting at once migrate one after the other (src/db/migrate.ts). */
export const MIGRATE_LOCK_KEY = 0x5f5c_0001;

/** Transaction lock around planning and applying mappings, so `sfsync map`, `sfsync import` and the engine never interleave their DDL (src/mapping/apply-mapping.ts, src/cli/apply-mappings.ts). */
export const MAPPING_LOCK_KEY = 0x5f5c_0003;

/** Transaction lock class per mapping id in `sfsync.claim_outbox`, so two pushes never claim changes of one record at once (written there as 1599864836). */
export const CLAIM_LOCK_CLASS = 0x5f5c_0004;

/** Transaction lock class per mapping id around each inbound page, so polls, drift re-polls and reconciles of one mapping never race on its unique sfid (src/inbound/apply-page.ts). */
export const APPLY_LOCK_CLASS = 0x5f5e_0001;

/** Session lock class per connection id held by the one stream subscriber of that org across processes (src/engine/stream-leader.ts). */
export const STREAM_LOCK_CLASS = 0x5f5e_0002;

/** Transaction lock class per connection id ordering "children fail with PARENT_FAILED" against "their parent got its sfid" (src/outbound/write-back.ts). */
export const PARENT_LOCK_CLASS = 0x5f5e_0003;

/** Not ours: the bigint key postgres-migrations locks while it runs (node_modules/postgres-migrations/dist/with-lock.js); listed so no key of ours takes it. */
export const POSTGRES_MIGRATIONS_LOCK_KEY = -8525285245963000605n;
