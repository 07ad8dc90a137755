-- 2: mappings — one row per Salesforce object <-> Postgres table.
--
-- Why these columns:
-- - `fields` is what the user asked for (Salesforce API names); `field_info` is
--   what describe said about them when the mapping was applied (type, length,
--   column name, Postgres type, createable/updateable), so triggers, pushes and
--   polls never need a describe call on the hot path.
-- - `row_filter` is a SOQL WHERE (validated before it is stored) that limits
--   which records sync; Heroku Connect has none.
-- - `watermark` is the upper bound of the last primary poll window that
--   succeeded with every earlier window also succeeded: polling resumes there
--   and never skips a failed window.
-- - `schema_name`/`table_name` are checked to fit 63 bytes with sfsync's
--   prefixes (`tg_<table>__capture`), so generated names never truncate.
create table mappings (
  id                 bigint generated always as identity primary key,
  connection_id      bigint not null references connections (id) on delete restrict,
  sobject            text not null check (sobject ~ '^[A-Za-z][A-Za-z0-9_]{0,79}$'),
  schema_name        text not null default 'salesforce' check (octet_length(schema_name) between 1 and 40),
  table_name         text not null check (octet_length(table_name) between 1 and 40),
  fields             text[] not null check (cardinality(fields) > 0),
  field_info         jsonb not null default '[]',
  mode               text not null check (mode in ('read_only', 'read_write')),
  external_id_field  text,
  row_filter         text,
  poll_interval      interval not null default '30 seconds' check (poll_interval >= '1 second'),
  drift_delay        interval not null default '10 minutes' check (drift_delay >= '0 seconds'),
  conflict_policy    text not null default 'salesforce_wins'
                       check (conflict_policy in ('salesforce_wins', 'postgres_wins', 'newest_wins')),
  streaming          text not null default 'auto' check (streaming in ('auto', 'cdc', 'pushtopic', 'off')),
  delete_mode        text not null default 'delete' check (delete_mode in ('delete', 'mark')),
  state              text not null default 'new'
                       check (state in ('new', 'loading', 'active', 'paused', 'error')),
  last_error         jsonb,
  watermark          timestamptz,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  unique (connection_id, sobject),
  unique (schema_name, table_name)
);
