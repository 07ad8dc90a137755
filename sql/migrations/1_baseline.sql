-- 1: baseline — the whole sfsync schema, stated once in its final form.
--
-- Until the first release the schema is this one migration. It replaced the
-- 21 pre-release migrations and makes the same catalog, less two functions
-- that only upgraded databases older than that history (docs/schema.md lists
-- every difference). docs/schema.md describes every table, view and
-- function, why it is so, and the figures measured for the capture path;
-- sql/schema.sql is the resulting catalog.
-- Changes go in new numbered files (2_…, 3_…), forward-only: an applied file
-- is never edited (postgres-migrations records the sha1 of its name and
-- text, and refuses a database whose files changed).

---------------------------------------------------------------------------
-- Tables
---------------------------------------------------------------------------

-- One row per Salesforce org. Secrets are never stored: they come from the
-- environment or files at runtime. api_usage/api_limit cache the last
-- Sforce-Limit-Info; push_paused_until is set on REQUEST_LIMIT_EXCEEDED.
create table connections (
  id            bigint generated always as identity primary key,
  name          text not null unique
                  check (name ~ '^[a-z][a-z0-9_]{0,39}$'),
  login_url     text not null check (login_url ~ '^https?://'),
  instance_url  text check (instance_url ~ '^https?://'),
  api_version   text not null default '59.0' check (api_version ~ '^[0-9]{2}\.0$'),
  auth_kind     text not null default 'password'
                  check (auth_kind in ('password', 'client_credentials', 'jwt', 'refresh_token', 'soap')),
  username      text,
  client_id     text,
  state         text not null default 'active' check (state in ('active', 'paused', 'error')),
  last_error    jsonb,
  api_usage     integer,
  api_limit     integer,
  api_usage_at  timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  push_paused_until timestamptz
);

-- One row per Salesforce object <-> Postgres table. field_info is what
-- describe said when the mapping was applied, so no hot path describes.
-- Names fit 63 bytes with sfsync's prefixes (tg_<table>__capture). A mapping
-- never lands in a schema of sfsync, graphile-worker or Postgres (a capture
-- trigger on sfsync.outbox recursed until the stack ran out).
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
  unique (schema_name, table_name),
  constraint mappings_schema_not_reserved
    check (schema_name not in ('sfsync', 'graphile_worker', 'information_schema') and schema_name !~ '^pg_')
);

-- One row per captured change of a read_write mapped table; the row is the
-- record of the change, pg_notify only wakes the engine. Every index, CHECK
-- and foreign key here costs each app transaction (docs/schema.md has the
-- figures): so enums instead of CHECKs, no foreign key (the
-- tg_mappings__delete_outbox trigger removes a mapping's rows), and one
-- partial index besides the primary key.
create type outbox_op as enum ('insert', 'update', 'delete');
create type outbox_state as enum ('new', 'claimed', 'success', 'failed', 'merged', 'ignored');

create table outbox (
  id               bigint generated always as identity primary key,
  mapping_id       bigint not null,
  record_id        bigint not null,
  sfid             varchar(18),
  op               outbox_op not null,
  changed          jsonb not null default '{}',
  old              jsonb,
  txid             xid8 not null default pg_current_xact_id(),
  state            outbox_state not null default 'new',
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null default now(),
  claimed_by       text,
  claimed_at       timestamptz,
  error            jsonb,
  created_at       timestamptz not null default clock_timestamp(),
  done_at          timestamptz,
  -- The claiming backend: when it is gone, the claim's outcome is unknown.
  claimed_pid      integer,
  unknown_since    timestamptz
);

-- The rows still to be dealt with, each state of a mapping its own range:
-- the claim, per-record ordering, the pending and failed counts and lists.
create index outbox_live on outbox (mapping_id, state, record_id, id) where state in ('new', 'claimed', 'failed');

-- One row per poll of a SystemModstamp window [lower, upper): how sfsync
-- proves it missed nothing. The watermark never passes a failed window.
create table poll_windows (
  id               bigint generated always as identity primary key,
  mapping_id       bigint not null references mappings (id) on delete cascade,
  kind             text not null check (kind in ('primary', 'secondary', 'reload', 'reconcile')),
  lower            timestamptz not null,
  upper            timestamptz not null,
  api              text check (api in ('rest', 'bulk')),
  records_seen     integer not null default 0,
  records_applied  integer not null default 0,
  drift_fixed      integer not null default 0,
  api_calls        integer not null default 0,
  outcome          text not null default 'running' check (outcome in ('running', 'succeeded', 'failed')),
  error            jsonb,
  secondary_due_at timestamptz,
  started_at       timestamptz not null default clock_timestamp(),
  finished_at      timestamptz,
  -- Rows whose value did not fit their column (marked failed, the rest applied).
  records_failed   integer not null default 0,
  -- A reload's total once its Bulk job completes: records_seen / this is progress.
  records_expected integer,
  check (lower < upper)
);

create index poll_windows_recent on poll_windows (mapping_id, kind, upper desc);
-- Primary windows whose drift re-poll is due.
create index poll_windows_secondary_due on poll_windows (secondary_due_at)
  where kind = 'primary' and secondary_due_at is not null;

-- One row per subscribed streaming channel. replay_id is where a restart
-- resumes: only a replayId whose poll committed is promoted to it from
-- pending_replay_id, so no event is skipped.
create table stream_state (
  connection_id  bigint not null references connections (id) on delete cascade,
  channel        text not null check (channel ~ '^/'),
  replay_id      bigint,
  updated_at     timestamptz not null default now(),
  pending_replay_id bigint,
  pending_at     timestamptz,
  primary key (connection_id, channel)
);

-- One row per field both sides changed since the last sync: the decision
-- and both values, so an operator can see (and undo) it.
create table conflicts (
  id           bigint generated always as identity primary key,
  mapping_id   bigint not null references mappings (id) on delete cascade,
  sfid         varchar(18) not null,
  field        text not null,
  pg_value     jsonb,
  sf_value     jsonb,
  policy       text not null,
  decision     text not null check (decision in ('salesforce', 'postgres')),
  decided_at   timestamptz not null default now()
);

create index conflicts_recent on conflicts (mapping_id, decided_at desc);
-- The apply records a decision only when it differs from the last one for that record and field.
create index conflicts_by_field on conflicts (mapping_id, sfid, field, id desc);

-- One row per running `sfsync start` worker pool, beside a session it holds
-- open: when that session is gone the engine is dead, and another engine
-- unlocks the graphile-worker jobs and queues it held.
create table engines (
  worker_pool_id text primary key,
  pid            integer not null,
  backend_start  timestamptz not null,
  process_name   text not null,
  started_at     timestamptz not null default now()
);

-- Salesforce records a poll held back because they may BE a local insert
-- whose outcome is unresolved (no External ID); fetched by Id and applied
-- once nothing holds them back.
create table deferred_inserts (
  mapping_id bigint not null references mappings (id) on delete cascade,
  sfid varchar(18) not null,
  -- Salesforce's CreatedDate (UTC), compared with the unresolved inserts' claim times.
  createddate timestamp(3),
  deferred_at timestamptz not null default now(),
  primary key (mapping_id, sfid)
);

comment on table deferred_inserts is
  'Salesforce records a poll did not insert because a local insert of the same mapping had an unresolved outcome (no External ID); applied by Id once no such insert holds them back.';

---------------------------------------------------------------------------
-- Triggers of sfsync's own tables
---------------------------------------------------------------------------

-- Refuses TRUNCATE of a read_write mapped table (it cannot reach Salesforce)
-- unless sfsync runs it; the per-table trigger is created with the mapping.
create function refuse_truncate() returns trigger
language plpgsql as $$
begin
  if coalesce(current_setting('sfsync.origin', true), '') <> '' then
    return null;
  end if;
  raise exception 'TRUNCATE of %.% is refused: it is mapped read_write by sfsync (mapping %) and a TRUNCATE cannot be sent to Salesforce', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]
    using errcode = 'feature_not_supported',
          hint = 'DELETE the rows instead (each delete is sent), or remove the mapping first with sfsync.remove_mapping(mapping_id).';
end;
$$;

-- A mappings row inserted or changed from SQL is a request: the engine plans
-- and applies it as `sfsync map` would.
create function notify_mapping_change() returns trigger
language plpgsql as $$
begin
  perform pg_notify('sfsync:mappings', json_build_object('action', 'changed', 'mappingId', NEW.id::text)::text);
  return null;
end;
$$;

create trigger tg_mappings__notify
  after insert or update of fields, mode, external_id_field, schema_name, table_name on mappings
  for each row execute function notify_mapping_change();

-- Outbox rows of a removed mapping go with it (the outbox has no foreign key).
create function delete_mapping_outbox() returns trigger
language plpgsql as $$
begin
  delete from sfsync.outbox where mapping_id = OLD.id;
  return null;
end;
$$;

create trigger tg_mappings__delete_outbox
  after delete on mappings
  for each row execute function delete_mapping_outbox();

---------------------------------------------------------------------------
-- The operator's functions: everything the CLI does can be done from psql.
-- Nothing means "all" unless it says so, and what names nothing that exists
-- is an error: no_data_found (P0002) for unknown mappings and ids,
-- null_value_not_allowed (22004) for nulls, invalid_parameter_value (22023)
-- for other bad values.
---------------------------------------------------------------------------

-- A mapping named by id, Salesforce object (case-insensitive) or schema.table.
create function resolve_mapping(p_mapping text) returns bigint
language plpgsql stable as $$
declare
  v_ids bigint[];
begin
  if p_mapping is null then
    raise exception 'Mapping name is null; name one by id, Salesforce object or schema.table (list them with `sfsync mappings`)'
      using errcode = 'null_value_not_allowed';
  end if;
  select array_agg(m.id order by m.id) into v_ids
  from sfsync.mappings m
  where m.id::text = p_mapping
     or lower(m.sobject) = lower(p_mapping)
     or lower(m.schema_name || '.' || m.table_name) = lower(p_mapping);
  if v_ids is null then
    raise exception 'No mapping named "%"; list them with `sfsync mappings` or `select * from sfsync.mapping_status`.', p_mapping
      using errcode = 'no_data_found';
  end if;
  if cardinality(v_ids) > 1 then
    raise exception 'Mapping name "%" is ambiguous (ids %); use the mapping id instead.', p_mapping, v_ids
      using errcode = 'cardinality_violation';
  end if;
  return v_ids[1];
end $$;

comment on function resolve_mapping(text) is
  'The id of the mapping named by id, Salesforce object or schema.table; raises when none or several match.';

-- Remove a mapping: its capture triggers and function, the row (its outbox
-- rows by trigger), and the table only when asked. Trigger and function
-- names follow src/mapping/mapping-names.ts.
create function remove_mapping(p_mapping_id bigint, p_drop_table boolean default false) returns boolean
language plpgsql as $$
declare
  m sfsync.mappings;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.remove_mapping: p_mapping_id is null; pass a mapping id from sfsync.mapping_status (or `sfsync mappings`)'
      using errcode = 'null_value_not_allowed';
  end if;
  select * into m from sfsync.mappings where id = p_mapping_id for update;
  if not found then
    raise exception 'sfsync.remove_mapping: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if to_regclass(format('%I.%I', m.schema_name, m.table_name)) is not null then
    execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || '__capture', m.schema_name, m.table_name);
    execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || '__truncate', m.schema_name, m.table_name);
    if p_drop_table then
      execute format('drop table %I.%I', m.schema_name, m.table_name);
    end if;
  end if;
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__capture');
  delete from sfsync.mappings where id = p_mapping_id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'removed', 'mappingId', p_mapping_id::text)::text);
  return true;
end;
$$;

comment on function remove_mapping(bigint, boolean) is
  'Remove a mapping: drop its capture triggers and row; drop the table too when p_drop_table. Raises when no such mapping.';

-- The mapping pause or resume acts on: the one named, or null for every one
-- when all_mappings => true says so; anything else raises, naming the fix.
create function resolve_mapping_selection(p_fn text, p_mapping text, all_mappings boolean) returns bigint
language plpgsql as $$
begin
  if coalesce(all_mappings, false) then
    if p_mapping is not null then
      raise exception 'sfsync.%: pass a mapping or all_mappings => true, not both', p_fn
        using errcode = 'invalid_parameter_value';
    end if;
    return null;
  end if;
  if p_mapping is null then
    raise exception 'sfsync.%: the mapping is null (null never means all); pass one by id, object or schema.table, or all_mappings => true to % every mapping', p_fn, p_fn
      using errcode = 'null_value_not_allowed';
  end if;
  return sfsync.resolve_mapping(p_mapping);
end $$;

comment on function resolve_mapping_selection(text, text, boolean) is
  'The mapping pause/resume act on: the one named, or null (every one) only with all_mappings => true; raises otherwise.';

-- Pause or resume one mapping, or every one with all_mappings => true;
-- running engines hear it on sfsync:mappings.
create function pause(p_mapping text default null, all_mappings boolean default false) returns setof bigint
language plpgsql as $$
declare
  v_id bigint;
begin
  v_id := sfsync.resolve_mapping_selection('pause', p_mapping, all_mappings);
  return query
    update sfsync.mappings m set state = 'paused', updated_at = now()
    where (v_id is null or m.id = v_id) and m.state <> 'paused'
    returning m.id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'pause', 'mappingId', v_id)::text);
end $$;

comment on function pause(text, boolean) is 'Pause a mapping (id, object or schema.table), or every one with all_mappings => true: no polls, no pushes; changes are still captured.';

create function resume(p_mapping text default null, all_mappings boolean default false) returns setof bigint
language plpgsql as $$
declare
  v_id bigint;
begin
  v_id := sfsync.resolve_mapping_selection('resume', p_mapping, all_mappings);
  return query
    update sfsync.mappings m
    set state = case when m.watermark is null then 'new' else 'active' end, updated_at = now()
    where (v_id is null or m.id = v_id) and m.state = 'paused'
    returning m.id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'resume', 'mappingId', v_id)::text);
end $$;

comment on function resume(text, boolean) is 'Resume a paused mapping, or every one with all_mappings => true; a mapping that never loaded goes back to new.';

-- Queue a reload or a reconciliation: one waiting job per mapping (the job
-- key the engine uses too). Plpgsql, so this migration does not need
-- graphile-worker's schema to exist yet (it is installed right after).
create function request_reload(p_mapping text) returns bigint
language plpgsql as $$
declare
  v_id bigint := sfsync.resolve_mapping(p_mapping);
begin
  perform graphile_worker.add_job(
    'sfsync:reload',
    json_build_object('mappingId', v_id::text),
    job_key => 'sfsync:reload:' || v_id
  );
  return v_id;
end $$;

comment on function request_reload(text) is 'Queue a reload of a mapping (sfsync:reload job, deduplicated per mapping); returns the mapping id.';

create function request_reconcile(p_mapping text) returns bigint
language plpgsql as $$
declare
  v_id bigint := sfsync.resolve_mapping(p_mapping);
begin
  perform graphile_worker.add_job(
    'sfsync:reconcile',
    json_build_object('mappingId', v_id::text),
    job_key => 'sfsync:reconcile:' || v_id
  );
  return v_id;
end $$;

comment on function request_reconcile(text) is 'Queue a reconciliation of a mapping now (sfsync:reconcile job, deduplicated per mapping).';

---------------------------------------------------------------------------
-- The outbox's functions (the push task is a thin caller)
---------------------------------------------------------------------------

-- Claim every due new change of up to p_limit records, oldest first, skipping
-- records with a change in flight. The per-mapping advisory lock (class
-- CLAIM_LOCK_CLASS of src/db/locks.ts) serialises claims for the statement
-- only; record ids go in as an array so the update walks outbox_live.
create function claim_outbox(p_mapping_id bigint, p_claimed_by text, p_limit integer) returns setof outbox
language plpgsql as $$
declare
  v_records bigint[];
begin
  if p_mapping_id is null then
    raise exception 'sfsync.claim_outbox: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if coalesce(p_claimed_by, '') = '' then
    raise exception 'sfsync.claim_outbox: p_claimed_by is null or empty; name the claimer (a failing push hands its claims back by that name)'
      using errcode = case when p_claimed_by is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  if p_limit is null or p_limit <= 0 then
    raise exception 'sfsync.claim_outbox: p_limit % is not a positive number; pass how many records to claim, e.g. 1000', coalesce(p_limit::text, 'null')
      using errcode = case when p_limit is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  if not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.claim_outbox: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  perform pg_advisory_xact_lock(1599864836, p_mapping_id::integer);
  select array_agg(record_id) into v_records from (
    select o.record_id
    from sfsync.outbox o
    where o.mapping_id = p_mapping_id and o.state = 'new'
    group by o.record_id
    having bool_and(o.next_attempt_at <= now())
       and not exists (select 1 from sfsync.outbox p
                        where p.mapping_id = p_mapping_id and p.record_id = o.record_id and p.state = 'claimed')
    order by min(o.id)
    limit p_limit
  ) chosen;
  if v_records is null then
    return;
  end if;
  return query
  update sfsync.outbox o
     set state = 'claimed', claimed_by = p_claimed_by, claimed_at = now(), claimed_pid = pg_backend_pid()
   where o.mapping_id = p_mapping_id and o.record_id = any (v_records) and o.state = 'new'
  returning o.*;
end;
$$;

comment on function claim_outbox(bigint, text, integer) is
  'Claim (state claimed) every due new change of up to p_limit records of a mapping, oldest first; records with a change in flight are skipped.';

-- Pending changes whose claiming backend is gone or whose lease expired go
-- back to new with unknown_since set: an insert without an External ID is
-- then looked up in Salesforce before it is sent again.
create function recover_outbox(p_mapping_id bigint, p_lease interval default '10 minutes') returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.recover_outbox: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.recover_outbox: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if p_lease is null then
    raise exception 'sfsync.recover_outbox: p_lease is null; pass a positive interval, e.g. ''10 minutes'' (the default)'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_lease <= interval '0' then
    raise exception 'sfsync.recover_outbox: lease % would take back changes still being sent (they would be sent twice); pass a positive interval, e.g. ''10 minutes''', p_lease
      using errcode = 'invalid_parameter_value';
  end if;
  with dead as (
    update sfsync.outbox o
       set state = 'new', unknown_since = coalesce(o.unknown_since, o.claimed_at),
           claimed_by = null, claimed_pid = null, next_attempt_at = now()
     where o.mapping_id = p_mapping_id and o.state = 'claimed'
       and (o.claimed_at < now() - p_lease
            or not exists (select 1 from pg_stat_activity a
                            where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))
    returning 1
  )
  select count(*)::integer into n from dead;
  return n;
end;
$$;

comment on function recover_outbox(bigint, interval) is
  'Put back to new (outcome unknown) the claimed changes of a mapping whose claiming backend is gone or whose lease expired.';

-- Raises unless retry_failed/discard_failed (p_fn) were given an explicit
-- selection. Strict ids are locked before they are checked, so a concurrent
-- retry or discard cannot settle one between check and update.
create function check_failed_selection(p_fn text, p_mapping_id bigint, p_outbox_ids bigint[], p_all boolean, p_missing_ok boolean) returns void
language plpgsql as $$
declare
  v_missing bigint[];
begin
  if coalesce(p_all, false) then
    if p_mapping_id is not null or p_outbox_ids is not null then
      raise exception 'sfsync.%: all_failed => true already selects every failed change; pass it alone, or drop it to select by p_mapping_id or p_outbox_ids', p_fn
        using errcode = 'invalid_parameter_value';
    end if;
    return;
  end if;
  if p_mapping_id is null and p_outbox_ids is null then
    raise exception 'sfsync.%: no failed change selected (null never means all); pass p_outbox_ids => array[…], p_mapping_id => …, or all_failed => true for every failed change', p_fn
      using errcode = 'null_value_not_allowed';
  end if;
  if p_mapping_id is not null and not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.%: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_fn, p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if p_outbox_ids is null then
    return;
  end if;
  if exists (select 1 from unnest(p_outbox_ids) i where i is null) then
    raise exception 'sfsync.%: p_outbox_ids holds a null; pass only ids of failed changes (select id from sfsync.failed_changes)', p_fn
      using errcode = 'null_value_not_allowed';
  end if;
  if coalesce(p_missing_ok, false) then
    return;
  end if;
  if cardinality(p_outbox_ids) = 0 then
    raise exception 'sfsync.%: p_outbox_ids is empty, which selects nothing (never all); pass ids from sfsync.failed_changes, or all_failed => true for every failed change', p_fn
      using errcode = 'invalid_parameter_value';
  end if;
  perform 1 from sfsync.outbox o where o.id = any (p_outbox_ids) order by o.id for update;
  select array_agg(x.i order by x.i) into v_missing
    from (select distinct i from unnest(p_outbox_ids) i) x
   where not exists (select 1 from sfsync.outbox o
                      where o.id = x.i and o.state = 'failed' and (p_mapping_id is null or o.mapping_id = p_mapping_id));
  if v_missing is not null then
    raise exception 'sfsync.%: outbox ids % are not failed changes%; pass ids listed by sfsync.failed_changes (`sfsync errors`), or missing_ok => true to skip them', p_fn, v_missing,
      case when p_mapping_id is null then '' else ' of mapping ' || p_mapping_id end
      using errcode = 'no_data_found';
  end if;
end;
$$;

comment on function check_failed_selection(text, bigint, bigint[], boolean, boolean) is
  'Raise unless retry_failed/discard_failed were given ids, a mapping or all_failed => true, all of which exist.';

-- A retried change loses the fields a later change of the same record has
-- since sent, so a retry never overwrites a newer value with an older one.
-- The flag is all_failed, not all: ALL is reserved in Postgres.
create function retry_failed(p_mapping_id bigint default null, p_outbox_ids bigint[] default null,
                             all_failed boolean default false, missing_ok boolean default false) returns integer
language plpgsql as $$
declare
  n integer;
  ids bigint[];
  m bigint;
begin
  perform sfsync.check_failed_selection('retry_failed', p_mapping_id, p_outbox_ids, all_failed, missing_ok);
  with f as (
    select o.id, o.mapping_id, o.record_id
      from sfsync.outbox o
     where o.state = 'failed'
       and (p_mapping_id is null or o.mapping_id = p_mapping_id)
       and (p_outbox_ids is null or o.id = any (p_outbox_ids))
       for update
  ), sent as (
    select f.id, array_agg(distinct k) as keys
      from f
      join sfsync.outbox l on l.mapping_id = f.mapping_id and l.record_id = f.record_id and l.id > f.id and l.state = 'success'
      cross join lateral jsonb_object_keys(l.changed) k
     where l.id > (select min(id) from f)
     group by f.id
  ), retried as (
    update sfsync.outbox o
       set state = 'new', attempts = 0, next_attempt_at = now(), error = null, done_at = null,
           changed = o.changed - coalesce(sent.keys, '{}')
      from f left join sent on sent.id = f.id
     where o.id = f.id
    returning o.mapping_id
  )
  select count(*), array_agg(distinct mapping_id) into n, ids from retried;
  foreach m in array coalesce(ids, '{}') loop
    perform pg_notify('sfsync:outbox', m::text);
  end loop;
  return n;
end;
$$;

comment on function retry_failed(bigint, bigint[], boolean, boolean) is
  'Send failed changes again: the given outbox ids, one mapping''s, or all_failed => true; fields a later change already sent are dropped. Returns the count.';

create function discard_failed(p_mapping_id bigint default null, p_outbox_ids bigint[] default null,
                               all_failed boolean default false, missing_ok boolean default false) returns integer
language plpgsql as $$
declare
  n integer;
begin
  perform sfsync.check_failed_selection('discard_failed', p_mapping_id, p_outbox_ids, all_failed, missing_ok);
  update sfsync.outbox f set state = 'ignored', done_at = now()
   where f.state = 'failed'
     and (p_mapping_id is null or f.mapping_id = p_mapping_id)
     and (p_outbox_ids is null or f.id = any (p_outbox_ids));
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function discard_failed(bigint, bigint[], boolean, boolean) is
  'Give up on failed changes (the given outbox ids, one mapping''s, or all_failed => true): state ignored. Returns the count.';

-- Mappings the sweep should push: due new changes, or claimed ones it could
-- recover (claimer gone or lease expired), on connections not paused by the
-- API limit.
create function mappings_to_push() returns setof bigint
language sql stable as $$
  select m.id from sfsync.mappings m join sfsync.connections c on c.id = m.connection_id
   where m.mode = 'read_write' and m.state <> 'paused'
     and (c.push_paused_until is null or c.push_paused_until <= now())
     and (exists (select 1 from sfsync.outbox o
                   where o.mapping_id = m.id and o.state = 'new' and o.next_attempt_at <= now())
          or exists (select 1 from sfsync.outbox o
                      where o.mapping_id = m.id and o.state = 'claimed'
                        and (o.claimed_at < now() - interval '10 minutes'
                             or not exists (select 1 from pg_stat_activity a
                                             where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))));
$$;

-- Finished changes (success, merged, ignored) older than the retention, in
-- batches; failed ones stay until retried or discarded. Run hourly by the
-- engine (sfsync:prune-outbox, push.keepDoneHours).
create function prune_outbox(p_keep interval default '7 days', p_batch integer default 10000) returns bigint
language plpgsql as $$
declare
  n bigint := 0;
  deleted integer;
  cutoff timestamptz;
begin
  if p_keep is null then
    raise exception 'sfsync.prune_outbox: p_keep is null; pass how long to keep finished changes, e.g. ''7 days'' (''0'' prunes every finished change)'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_keep < interval '0' then
    raise exception 'sfsync.prune_outbox: p_keep % is negative and would delete every finished change; pass how long to keep them, e.g. ''7 days''', p_keep
      using errcode = 'invalid_parameter_value';
  end if;
  if p_batch is null or p_batch <= 0 then
    raise exception 'sfsync.prune_outbox: p_batch % is not a positive number (0 or null never finishes); pass rows per batch, e.g. 10000', coalesce(p_batch::text, 'null')
      using errcode = case when p_batch is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  begin
    cutoff := now() - p_keep;
  exception when datetime_field_overflow then
    -- Kept since before the calendar starts: nothing is that old.
    cutoff := '-infinity';
  end;
  loop
    delete from sfsync.outbox
     where id in (select id from sfsync.outbox
                   where state in ('success', 'merged', 'ignored') and done_at < cutoff
                   limit p_batch);
    get diagnostics deleted = row_count;
    n := n + deleted;
    exit when deleted < p_batch;
  end loop;
  return n;
end;
$$;

comment on function prune_outbox(interval, integer) is
  'Delete success, merged and ignored outbox rows finished longer ago than p_keep (in batches of p_batch); failed rows stay. Returns the count.';

---------------------------------------------------------------------------
-- Views: what the CLI prints, computed where the data lives. Outbox counts
-- read outbox_live only, so they stay cheap with millions of finished rows.
---------------------------------------------------------------------------

-- One row per mapping: what `sfsync status` prints.
--   pull_lag: how far the watermark is behind now (null before the first poll);
--   push_lag: age of the oldest change still waiting to reach Salesforce;
--   api_calls_today: calls of this mapping's poll windows since midnight (server time);
--   api_usage / api_limit: the org's whole daily usage, as Salesforce last reported it.
create view mapping_status as
select
  m.id as mapping_id,
  c.name as connection,
  m.sobject,
  m.schema_name,
  m.table_name,
  m.mode,
  m.state,
  m.watermark,
  lp.started_at as last_poll_at,
  lp.outcome as last_poll_outcome,
  case when m.watermark is null then null else greatest(now() - m.watermark, interval '0') end as pull_lag,
  now() - o.oldest_open_at as push_lag,
  coalesce(o.pending, 0)::bigint as pending_changes,
  coalesce(o.failed, 0)::bigint as failed_changes,
  coalesce(w.api_calls_today, 0)::bigint as api_calls_today,
  c.api_usage,
  c.api_limit,
  c.api_usage_at,
  m.last_error
from sfsync.mappings m
join sfsync.connections c on c.id = m.connection_id
left join lateral (
  select pw.started_at, pw.outcome
  from sfsync.poll_windows pw
  where pw.mapping_id = m.id and pw.kind = 'primary'
  order by pw.upper desc
  limit 1
) lp on true
left join lateral (
  select
    count(*) filter (where ob.state in ('new', 'claimed')) as pending,
    count(*) filter (where ob.state = 'failed') as failed,
    min(ob.created_at) filter (where ob.state in ('new', 'claimed')) as oldest_open_at
  from sfsync.outbox ob
  where ob.mapping_id = m.id and ob.state in ('new', 'claimed', 'failed')
) o on true
left join lateral (
  select sum(pw.api_calls) as api_calls_today
  from sfsync.poll_windows pw
  where pw.mapping_id = m.id and pw.started_at >= date_trunc('day', now())
) w on true;

comment on view mapping_status is
  'Per mapping: state, last poll, pull and push lag, pending and failed changes, API usage. What `sfsync status` prints.';

-- Changes Salesforce refused for good, with its error: what `sfsync errors` prints.
create view failed_changes as
select
  ob.id,
  ob.mapping_id,
  m.sobject,
  m.schema_name,
  m.table_name,
  ob.record_id,
  ob.sfid,
  ob.op::text as op,
  ob.changed,
  ob.error ->> 'code' as error_code,
  ob.error ->> 'message' as error_message,
  ob.error,
  ob.attempts,
  ob.created_at,
  ob.done_at as failed_at
from sfsync.outbox ob
join sfsync.mappings m on m.id = ob.mapping_id
where ob.state = 'failed';

comment on view failed_changes is
  'Changes Salesforce refused permanently (validation rule, required field …), with its error code and message.';

-- Per mapping: the push's backlog, its oldest change's age, the last error and an API-limit pause.
create view outbox_status as
select
  m.id as mapping_id,
  m.sobject,
  m.schema_name,
  m.table_name,
  coalesce(o.pending, 0)::bigint as pending,
  coalesce(o.failed, 0)::bigint as failed,
  now() - o.oldest_pending_at as oldest_pending_age,
  e.error as last_error,
  c.push_paused_until
from sfsync.mappings m
join sfsync.connections c on c.id = m.connection_id
left join lateral (
  select count(*) filter (where ob.state in ('new', 'claimed')) as pending,
         count(*) filter (where ob.state = 'failed') as failed,
         min(ob.created_at) filter (where ob.state in ('new', 'claimed')) as oldest_pending_at
    from sfsync.outbox ob
   where ob.mapping_id = m.id and ob.state in ('new', 'claimed', 'failed')
) o on true
left join lateral (
  select ob.error from sfsync.outbox ob
   where ob.mapping_id = m.id and ob.state in ('new', 'claimed', 'failed') and ob.error is not null
   order by ob.id desc limit 1
) e on true;

comment on view outbox_status is
  'Per mapping: changes waiting (new/claimed), failed, the oldest waiting change''s age, the last error, and an API-limit pause.';

-- Poll windows of the last 24 hours, newest first, with their duration.
create view recent_windows as
select
  pw.id,
  pw.mapping_id,
  m.sobject,
  pw.kind,
  pw.lower,
  pw.upper,
  pw.api,
  pw.records_seen,
  pw.records_applied,
  pw.drift_fixed,
  pw.api_calls,
  pw.outcome,
  pw.error,
  pw.started_at,
  pw.finished_at,
  pw.finished_at - pw.started_at as duration
from sfsync.poll_windows pw
join sfsync.mappings m on m.id = pw.mapping_id
where pw.started_at > now() - interval '24 hours'
order by pw.started_at desc;

comment on view recent_windows is 'Poll windows (primary, secondary, reload, reconcile) started in the last 24 hours, newest first.';

-- Decided conflicts of the last 7 days, newest first, with both values.
create view recent_conflicts as
select
  cf.id,
  cf.mapping_id,
  m.sobject,
  cf.sfid,
  cf.field,
  cf.pg_value,
  cf.sf_value,
  cf.policy,
  cf.decision,
  cf.decided_at
from sfsync.conflicts cf
join sfsync.mappings m on m.id = cf.mapping_id
where cf.decided_at > now() - interval '7 days'
order by cf.decided_at desc;

comment on view recent_conflicts is 'Conflicts decided in the last 7 days: the field, both values, the policy and which side won.';

-- Mapped rows with changes still to be sent, one line per row (a row's
-- _sfsync_state is the outcome of its last push only): join to the table on
-- record_id = id.
create view open_changes as
select
  ob.mapping_id,
  m.schema_name,
  m.table_name,
  ob.record_id,
  (array_agg(ob.sfid order by ob.id desc) filter (where ob.sfid is not null))[1] as sfid,
  array_agg(ob.op::text order by ob.id) as ops,
  bool_or(ob.state = 'claimed') as in_flight,
  min(ob.created_at) as waiting_since,
  max(ob.attempts) as attempts,
  max(ob.next_attempt_at) filter (where ob.state = 'new' and ob.attempts > 0) as next_attempt_at,
  (array_agg(ob.error order by ob.id desc) filter (where ob.error is not null))[1] as last_error
from sfsync.outbox ob
join sfsync.mappings m on m.id = ob.mapping_id
where ob.state in ('new', 'claimed')
group by ob.mapping_id, m.schema_name, m.table_name, ob.record_id;

comment on view open_changes is
  'Per mapped row with changes still to be sent: their ops in order, whether one is in flight, since when it waits, retries, the next attempt and the last error (e.g. WAITING_FOR_PARENT). Join to the table on record_id = id.';

-- Worker pools whose engine session is gone. pg_stat_activity hides
-- backend_start of other roles' sessions from unprivileged roles (null): then
-- the pid alone decides, so a live engine is never taken for dead.
create view dead_engines as
  select e.*
  from engines e
  where not exists (
    select 1 from pg_stat_activity a
    where a.pid = e.pid and (a.backend_start is null or a.backend_start = e.backend_start)
  );

-- The outbox state machine. Every change of an outbox row's state is one
-- function of this file; src/outbox/outbox.ts is the
-- only TypeScript that names the table, and each of its calls is one of these.
--
--   new ──claim_outbox──▶ claimed ──settle_outbox──▶ success | merged | failed
--    ▲                      │                               │
--    └── release_claims, recover_outbox, settle (retry) ────┘ retry_failed ▶ new
--   new ──drop_fields (Salesforce won every field)──▶ ignored
--   failed ──discard_failed──▶ ignored;  failed ──merge_failed──▶ merged
--   (capture triggers and queue_resend insert 'new'; prune_outbox deletes finished rows)
--
-- The state a push holds is 'claimed', not 'pending': 'pending' means "not
-- yet settled" (`_sfsync_state`, the views' pending counts) and nothing else.

-- A push that failed unexpectedly (not a per-record Salesforce error) hands
-- its claims back as changes of unknown outcome: the call may have landed,
-- so the next push looks before it sends again.
create function release_claims(p_mapping_id bigint, p_claimed_by text) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_mapping_id is null or coalesce(p_claimed_by, '') = '' then
    raise exception 'sfsync.release_claims: pass the mapping id and the claimer name the claims were made under'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox
     set state = 'new', unknown_since = coalesce(unknown_since, claimed_at), claimed_by = null, claimed_pid = null,
         next_attempt_at = now() + interval '1 second'
   where mapping_id = p_mapping_id and state = 'claimed' and claimed_by = p_claimed_by;
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function release_claims(bigint, text) is
  'Hand a failed push''s claims back to new, as changes of unknown outcome (looked up before they are sent again). Returns the count.';

-- A push round's outcomes, one element per outbox row (parallel arrays, so
-- one statement settles a round of any size). p_states: success, merged or
-- failed (done), or new (retry after p_nexts, p_incs more attempts;
-- p_unknown marks an outcome nobody knows, looked up before a re-send).
create function settle_outbox(p_ids bigint[], p_states outbox_state[], p_sfids text[], p_errors jsonb[],
                              p_incs integer[], p_nexts timestamptz[], p_unknown boolean[]) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_ids is null or p_states is null or cardinality(p_ids) <> cardinality(p_states) then
    raise exception 'sfsync.settle_outbox: p_ids and p_states must be given, one state per id'
      using errcode = 'invalid_parameter_value';
  end if;
  update sfsync.outbox o
     set state = u.state, sfid = coalesce(u.sfid, o.sfid), error = u.error, attempts = o.attempts + u.inc,
         next_attempt_at = coalesce(u.next, o.next_attempt_at),
         unknown_since = case when u.unknown then coalesce(o.unknown_since, o.claimed_at) when u.state = 'new' then o.unknown_since end,
         done_at = case when u.state in ('success', 'merged', 'failed') then now() end,
         claimed_by = null, claimed_pid = null
    from unnest(p_ids, p_states, p_sfids, p_errors, p_incs, p_nexts, p_unknown) u(id, state, sfid, error, inc, next, unknown)
   where o.id = u.id;
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function settle_outbox(bigint[], outbox_state[], text[], jsonb[], integer[], timestamptz[], boolean[]) is
  'Record a push round''s outcome of each outbox row (done, failed, or new with back-off). Returns the count.';

-- A row inserted again after its record was deleted in Salesforce carries
-- every value: its earlier failed changes are in it now.
create function merge_failed(p_mapping_id bigint, p_record_ids bigint[]) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_mapping_id is null or p_record_ids is null then
    raise exception 'sfsync.merge_failed: pass the mapping id and the record ids whose failed changes a new insert carries'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox set state = 'merged', done_at = now()
   where mapping_id = p_mapping_id and record_id = any (p_record_ids) and state = 'failed';
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function merge_failed(bigint, bigint[]) is
  'Mark merged the failed changes of records whose re-insert carries them. Returns the count.';

-- The inbound apply decided that Salesforce wins these fields: drop them
-- from unsent (new) changes; an update left with nothing to send is ignored.
create function drop_fields(p_ids bigint[], p_fields text[]) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_ids is null or p_fields is null then
    raise exception 'sfsync.drop_fields: pass the outbox ids and the fields Salesforce won'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox set
    changed = changed - p_fields,
    state = case when op = 'update' and (changed - p_fields) = '{}'::jsonb then 'ignored' else state end,
    done_at = case when op = 'update' and (changed - p_fields) = '{}'::jsonb then now() else done_at end
  where id = any (p_ids) and state = 'new';
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function drop_fields(bigint[], text[]) is
  'Drop fields Salesforce won from unsent changes; an update left empty is ignored. Returns the count.';

-- Salesforce won fields that a claimed change (in flight) carries: once the
-- apply has written Salesforce's values into the table, send them again,
-- right behind the change in flight (claim_outbox claims nothing of a record
-- while it has a claimed change). p_resend: [{"outbox_id": …, "field": …}].
-- Each value is to_jsonb of the column, the capture trigger's own form; a
-- field whose column does not hold a value other than the one in flight is
-- left out. Returns the number of changes queued (one per record).
create function queue_resend(p_mapping_id bigint, p_resend jsonb) returns integer
language plpgsql as $$
declare
  m sfsync.mappings;
  r record;
  v jsonb;
  col text;
  queued integer := 0;
begin
  select * into m from sfsync.mappings where id = p_mapping_id;
  if not found then
    raise exception 'sfsync.queue_resend: no mapping with id %', p_mapping_id using errcode = 'no_data_found';
  end if;
  for r in
    select o.record_id, jsonb_object_agg(x.field, o.changed -> x.field) as lost
      from jsonb_to_recordset(coalesce(p_resend, '[]')) as x(outbox_id bigint, field text)
      join sfsync.outbox o on o.id = x.outbox_id and o.mapping_id = p_mapping_id
     group by o.record_id
  loop
    declare
      changed jsonb := '{}';
      old jsonb := '{}';
      f text;
      sfid text;
    begin
      for f in select jsonb_object_keys(r.lost) loop
        select e ->> 'column' into col from jsonb_array_elements(m.field_info) e
         where e ->> 'name' = f and not coalesce((e ->> 'removed')::boolean, false) and not coalesce((e ->> 'calculated')::boolean, false)
           and (coalesce((e ->> 'createable')::boolean, false) or coalesce((e ->> 'updateable')::boolean, false));
        continue when col is null;
        execute format('select to_jsonb(t.%I), t.sfid from %I.%I t where t.id = $1', col, m.schema_name, m.table_name)
           into v, sfid using r.record_id;
        if v is not null and v is distinct from r.lost -> f then
          changed := changed || jsonb_build_object(f, v);
          old := old || jsonb_build_object(f, r.lost -> f);
        end if;
      end loop;
      if changed <> '{}'::jsonb then
        insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
        values (p_mapping_id, r.record_id, sfid, 'update', changed, old);
        queued := queued + 1;
      end if;
    end;
  end loop;
  if queued > 0 then
    perform pg_notify('sfsync:outbox', p_mapping_id::text);
  end if;
  return queued;
end;
$$;

comment on function queue_resend(bigint, jsonb) is
  'Queue, behind a change in flight, the values Salesforce won of the fields it carries. Returns the number of changes queued.';

-- Children failed with PARENT_FAILED whose parent row has an sfid now go back
-- to new (through retry_failed, which notifies). The write-back names the
-- parents it settled; the engine's sweep calls retry_all_orphans().
create function retry_orphans(p_parent_mapping_id bigint, p_parent_ids bigint[], p_child_mapping_ids bigint[] default null) returns integer
language plpgsql as $$
declare
  p sfsync.mappings;
  ids bigint[];
begin
  if p_parent_mapping_id is null or p_parent_ids is null then
    raise exception 'sfsync.retry_orphans: pass the parent mapping id and parent row ids (retry_all_orphans() takes every parent)'
      using errcode = 'null_value_not_allowed';
  end if;
  select * into p from sfsync.mappings where id = p_parent_mapping_id;
  if not found or to_regclass(format('%I.%I', p.schema_name, p.table_name)) is null then
    return 0;
  end if;
  execute format(
    'select array_agg(o.id) from sfsync.outbox o join %I.%I parent on parent.id = (o.error -> ''parent'' ->> ''recordId'')::bigint
      where o.state = ''failed'' and o.error ->> ''code'' = ''PARENT_FAILED''
        and o.error -> ''parent'' ->> ''mappingId'' = $1::text and parent.sfid is not null
        and parent.id = any ($2) and ($3 is null or o.mapping_id = any ($3))', p.schema_name, p.table_name)
    into ids using p_parent_mapping_id, p_parent_ids, p_child_mapping_ids;
  if ids is null then
    return 0;
  end if;
  -- missing_ok: a concurrent retry may settle some first.
  return sfsync.retry_failed(p_outbox_ids => ids, missing_ok => true);
end;
$$;

comment on function retry_orphans(bigint, bigint[], bigint[]) is
  'Send again the PARENT_FAILED children of the given parent rows that have an sfid now. Returns the count.';

create function retry_all_orphans() returns integer
language plpgsql as $$
declare
  parent bigint;
  n integer := 0;
begin
  for parent in
    select distinct (o.error -> 'parent' ->> 'mappingId')::bigint from sfsync.outbox o
     where o.state = 'failed' and o.error ->> 'code' = 'PARENT_FAILED'
  loop
    n := n + sfsync.retry_orphans(parent, array(
      select (o.error -> 'parent' ->> 'recordId')::bigint from sfsync.outbox o
       where o.state = 'failed' and o.error ->> 'code' = 'PARENT_FAILED' and o.error -> 'parent' ->> 'mappingId' = parent::text));
  end loop;
  return n;
end;
$$;

comment on function retry_all_orphans() is
  'Send again every PARENT_FAILED child whose parent row has an sfid now (the engine''s sweep). Returns the count.';
