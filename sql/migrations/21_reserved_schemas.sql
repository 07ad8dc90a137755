-- 21: a mapping never lands in a schema of sfsync, graphile-worker or
-- Postgres. A mapping of sfsync.outbox put a capture trigger on the outbox,
-- and every insert into a mapped table then recursed until "stack depth limit
-- exceeded"; one of sfsync.mappings added columns to it. The CLI and the
-- engine refuse these names first (mapping-spec.ts `isReservedSchema`, one
-- line naming the fix); this constraint also stops a row written by hand.
-- NOT VALID: enforced on every new or changed row without failing the
-- migration on a database that already holds such a row (re-check it with
-- `alter table sfsync.mappings validate constraint mappings_schema_not_reserved`).
alter table mappings
  add constraint mappings_schema_not_reserved
  check (schema_name not in ('sfsync', 'graphile_worker', 'information_schema') and schema_name !~ '^pg_')
  not valid;
