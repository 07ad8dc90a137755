-- 12: updates are captured as the rows' images before them, into an
-- index-less log the push drains, as inserts are since migration 11.
--
-- An application's UPDATE paid, per row, for a row-level trigger, jsonb of the
-- changed fields and an outbox row with two index entries, which cost about
-- as much as Heroku Connect's capture (docs/schema.md, "Against Heroku
-- Connect's design"). Now one statement trigger copies each updated row's
-- mapped writable columns, as text, into sfsync.outbox_updates, and the
-- drain (the table's generated tg_<table>__drain_updates,
-- sql/templates/drain-updates-function.sql) works out what changed: it
-- compares each image with the row's next one, the next logged image or the
-- row as it is. sfsync's own UPDATEs are not captured, but one of a row with
-- logged updates logs the row's image before it (marked sfsync_write), so
-- the drain never takes Salesforce's values for the application's change.
--
-- Who drains, and order, are as for inserts: claim_outbox and
-- claim_waiting_children drain both logs under the mapping's claim lock, an
-- inbound apply after locking its page's rows (and a re-applied mapping
-- before its capture function is replaced: drop-triggers.sql). A logged
-- update takes its id from the outbox's sequence and keeps it. A claim does
-- not wait for a record's logged updates, as it waits for an insert
-- (migration 11): an update the claim's drain could not see yet is newer
-- than the record's changes it drained, and is pushed after them (or, when a
-- delete of the row came after it, sends nothing). Waiting would starve a
-- record the application updates continuously.

create table sfsync.outbox_updates (
  id            bigint not null default nextval('sfsync.outbox_id_seq'),
  mapping_id    bigint not null,
  record_id     bigint not null,
  old           text[] not null,
  sfsync_write  boolean not null default false,
  txid          xid8 not null default pg_current_xact_id(),
  created_at    timestamptz not null default clock_timestamp()
);
comment on table sfsync.outbox_updates is
  'Updates captured but not yet moved into the outbox: each row''s mapped writable columns as text, as they were before the UPDATE (sfsync.drain_updates moves them). No index: every captured row costs the application''s transaction as little as possible.';
comment on column sfsync.outbox_updates.old is
  'The row''s mapped writable columns before the UPDATE, as text, in the order of the capture function that logged it (field_info''s writable fields then).';
comment on column sfsync.outbox_updates.sfsync_write is
  'The image before one of sfsync''s own writes: it ends the change logged before it and sends nothing.';

-- The changes captured and not yet in the outbox, one row per logged insert
-- or application update: what the views, the sweep and the "unsent change?"
-- checks count besides the outbox.
create view sfsync.outbox_logged as
select l.id, l.mapping_id, l.record_id, 'insert'::sfsync.outbox_op as op, l.created_at from sfsync.outbox_inserts l
union all
select u.id, u.mapping_id, u.record_id, 'update'::sfsync.outbox_op, u.created_at from sfsync.outbox_updates u where not u.sfsync_write;
comment on view sfsync.outbox_logged is
  'Inserts and updates captured but not yet moved into the outbox (sfsync.outbox_inserts, sfsync.outbox_updates).';

-- Move a mapping's logged updates (all, or those of p_record_ids) into the
-- outbox. The work is the table's generated tg_<table>__drain_updates(bigint[]):
-- it alone knows the layout of the images its capture function logged, so
-- there is no fallback built from field_info (which changes when a field is
-- removed in Salesforce, and the images do not).
create function sfsync.drain_updates(p_mapping_id bigint, p_record_ids bigint[] default null) returns integer
language plpgsql as $$
declare
  v_map sfsync.mappings;
  v_drain regprocedure;
  n integer;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.drain_updates: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if not exists (select 1 from sfsync.outbox_updates where mapping_id = p_mapping_id) then
    return 0;
  end if;
  select * into v_map from sfsync.mappings where id = p_mapping_id;
  if not found then
    raise exception 'sfsync.drain_updates: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  v_drain := to_regprocedure(format('%I.%I(bigint[])', v_map.schema_name, 'tg_' || v_map.table_name || '__drain_updates'));
  if v_drain is null then
    raise exception 'sfsync.drain_updates: %.% has logged updates but no drain function tg_%__drain_updates; run `sfsync doctor --fix` to re-create it',
      v_map.schema_name, v_map.table_name, v_map.table_name
      using errcode = 'undefined_function';
  end if;
  execute format('select %I.%I($1)', v_map.schema_name, 'tg_' || v_map.table_name || '__drain_updates') into n using p_record_ids;
  return n;
end;
$$;
comment on function sfsync.drain_updates(bigint, bigint[]) is
  'Move a mapping''s logged updates (all, or those of p_record_ids) into the outbox with the fields each changed. Returns the outbox rows written. The claim runs it; an operator never needs to.';

-- An update is logged under the id the row had, and its drain finds the row
-- by it: an UPDATE that changed a mapped row's id would send nothing, and the
-- row under its new id would never be sent. The tables' tg_<table>__keep_id
-- triggers (sql/templates/capture-triggers.sql) refuse it instead.
create function sfsync.refuse_id_change() returns trigger
language plpgsql as $$
begin
  raise exception 'sfsync: %.% is synced with Salesforce by row id, so a row''s id cannot change (% to %); insert a new row and delete the old one instead',
    TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.id, NEW.id
    using errcode = 'feature_not_supported';
end;
$$;

-- Both logs of a mapping, inserts first (the order within the outbox is the ids').
create function sfsync.drain_changes(p_mapping_id bigint, p_record_ids bigint[] default null) returns integer
language sql as $$
  select sfsync.drain_inserts(p_mapping_id, p_record_ids) + sfsync.drain_updates(p_mapping_id, p_record_ids);
$$;
comment on function sfsync.drain_changes(bigint, bigint[]) is
  'Move a mapping''s logged inserts and updates (all, or those of p_record_ids) into the outbox. Returns the outbox rows written.';

-- As in migration 11, and the table's update drain goes with its capture function.
create or replace function sfsync.remove_mapping(p_mapping_id bigint, p_drop_table boolean default false) returns boolean
language plpgsql as $$
declare
  m sfsync.mappings;
  suffix text;
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
    foreach suffix in array array['__capture', '__capture_insert', '__capture_update', '__capture_delete', '__truncate', '__keep_id', '__hc_status'] loop
      execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || suffix, m.schema_name, m.table_name);
    end loop;
    if p_drop_table then
      execute format('drop table %I.%I', m.schema_name, m.table_name);
    end if;
  end if;
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__capture');
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__hc_status');
  execute format('drop function if exists %I.%I(bigint[])', m.schema_name, 'tg_' || m.table_name || '__drain_inserts');
  execute format('drop function if exists %I.%I(bigint[])', m.schema_name, 'tg_' || m.table_name || '__drain_updates');
  delete from sfsync.mappings where id = p_mapping_id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'removed', 'mappingId', p_mapping_id::text)::text);
  return true;
end;
$$;

-- As in migration 11, but both logs are drained.
create or replace function sfsync.claim_outbox(p_mapping_id bigint, p_claimed_by text, p_limit integer) returns setof sfsync.outbox
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
  perform sfsync.drain_changes(p_mapping_id);
  select array_agg(record_id) into v_records from (
    select o.record_id
    from sfsync.outbox o
    where o.mapping_id = p_mapping_id and o.state = 'new'
      and o.record_id not in (select l.record_id from sfsync.outbox_inserts l where l.mapping_id = p_mapping_id)
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
     and o.record_id not in (select l.record_id from sfsync.outbox_inserts l where l.mapping_id = p_mapping_id)
  returning o.*;
end;
$$;

-- As in migration 11, but both logs are drained.
create or replace function sfsync.claim_waiting_children(p_mapping_id bigint, p_claimed_by text, p_fields text[], p_values text[], p_limit integer)
returns setof sfsync.outbox
language plpgsql
set plan_cache_mode = force_custom_plan
as $$
declare
  v_candidates bigint[];
  v_records bigint[];
begin
  if p_mapping_id is null or coalesce(p_claimed_by, '') = '' or p_fields is null or p_values is null then
    raise exception 'sfsync.claim_waiting_children: pass the child mapping id, the claimer name, the reference fields and the @<id> values'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_limit is null or p_limit <= 0 then
    raise exception 'sfsync.claim_waiting_children: p_limit % is not a positive number; pass how many records to claim at most, e.g. 10000', coalesce(p_limit::text, 'null')
      using errcode = case when p_limit is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  perform pg_advisory_xact_lock(1599864836, p_mapping_id::integer);
  perform sfsync.drain_changes(p_mapping_id);
  select array_agg(distinct n.record_id) into v_candidates
    from sfsync.outbox n
   where n.mapping_id = p_mapping_id and n.state = 'new' and n.op = 'insert'
     and exists (select 1 from unnest(p_fields) f where n.changed ->> f = any (p_values));
  if v_candidates is null then
    return;
  end if;
  select array_agg(record_id) into v_records from (
    select o.record_id
      from sfsync.outbox o
     where o.mapping_id = p_mapping_id and o.record_id = any (v_candidates) and o.state in ('new', 'claimed', 'failed')
       and o.record_id not in (select l.record_id from sfsync.outbox_inserts l where l.mapping_id = p_mapping_id)
     group by o.record_id
    having bool_and(o.state = 'new') and not bool_or(o.op = 'delete') and bool_and(o.unknown_since is null)
       and (array_agg(o.op order by o.id))[1] = 'insert'
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
     and o.record_id not in (select l.record_id from sfsync.outbox_inserts l where l.mapping_id = p_mapping_id)
  returning o.*;
end;
$$;

-- As in migration 11: a mapping with logged changes has work too.
create or replace function sfsync.mappings_to_push() returns setof bigint
language sql stable as $$
  select m.id from sfsync.mappings m join sfsync.connections c on c.id = m.connection_id
   where m.mode = 'read_write' and m.state <> 'paused'
     and (c.push_paused_until is null or c.push_paused_until <= now())
     and (exists (select 1 from sfsync.outbox o
                   where o.mapping_id = m.id and o.state = 'new' and o.next_attempt_at <= now())
          or exists (select 1 from sfsync.outbox_logged l where l.mapping_id = m.id)
          or exists (select 1 from sfsync.outbox o
                      where o.mapping_id = m.id and o.state = 'claimed'
                        and (o.claimed_at < now() - interval '10 minutes'
                             or not exists (select 1 from pg_stat_activity a
                                             where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))));
$$;

-- A removed mapping's logged changes go with its outbox rows.
create or replace function sfsync.delete_mapping_outbox() returns trigger
language plpgsql as $$
begin
  delete from sfsync.outbox where mapping_id = OLD.id;
  delete from sfsync.outbox_inserts where mapping_id = OLD.id;
  delete from sfsync.outbox_updates where mapping_id = OLD.id;
  return null;
end;
$$;

-- The views count a logged change as pending, as in migration 11, now updates too.
create or replace view sfsync.mapping_status as
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
  from (select x.state, x.created_at from sfsync.outbox x
         where x.mapping_id = m.id and x.state in ('new', 'claimed', 'failed')
        union all
        select 'new'::sfsync.outbox_state, l.created_at from sfsync.outbox_logged l where l.mapping_id = m.id) ob
) o on true
left join lateral (
  select sum(pw.api_calls) as api_calls_today
  from sfsync.poll_windows pw
  where pw.mapping_id = m.id and pw.started_at >= date_trunc('day', now())
) w on true;

create or replace view sfsync.outbox_status as
select
  m.id as mapping_id,
  m.sobject,
  m.schema_name,
  m.table_name,
  coalesce(o.pending, 0)::bigint as pending,
  coalesce(o.failed, 0)::bigint as failed,
  now() - o.oldest_pending_at as oldest_pending_age,
  e.error as last_error,
  c.push_paused_until,
  c.name as connection
from sfsync.mappings m
join sfsync.connections c on c.id = m.connection_id
left join lateral (
  select count(*) filter (where ob.state in ('new', 'claimed')) as pending,
         count(*) filter (where ob.state = 'failed') as failed,
         min(ob.created_at) filter (where ob.state in ('new', 'claimed')) as oldest_pending_at
    from (select x.state, x.created_at from sfsync.outbox x
           where x.mapping_id = m.id and x.state in ('new', 'claimed', 'failed')
          union all
          select 'new'::sfsync.outbox_state, l.created_at from sfsync.outbox_logged l where l.mapping_id = m.id) ob
) o on true
left join lateral (
  select ob.error from sfsync.outbox ob
   where ob.mapping_id = m.id and ob.state in ('new', 'claimed', 'failed') and ob.error is not null
   order by ob.id desc limit 1
) e on true;

create or replace view sfsync.open_changes as
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
  (array_agg(ob.error order by ob.id desc) filter (where ob.error is not null))[1] as last_error,
  c.name as connection
from (select x.id, x.mapping_id, x.record_id, x.sfid, x.op, x.state, x.created_at, x.attempts, x.next_attempt_at, x.error
        from sfsync.outbox x where x.state in ('new', 'claimed')
      union all
      select l.id, l.mapping_id, l.record_id, null, l.op, 'new', l.created_at, 0, l.created_at, null
        from sfsync.outbox_logged l) ob
join sfsync.mappings m on m.id = ob.mapping_id
join sfsync.connections c on c.id = m.connection_id
group by ob.mapping_id, m.schema_name, m.table_name, ob.record_id, c.name;

-- A role that writes mapped tables needs insert on both logs and the outbox,
-- and the sequence. Roles granted insert on the outbox or on
-- sfsync.outbox_inserts before get the rest, so an application that could
-- write its tables before this migration still can (migration 11 did not do
-- this for sfsync.outbox_inserts).
do $$
declare
  r record;
begin
  for r in select distinct g.grantee from information_schema.role_table_grants g
            where g.table_schema = 'sfsync' and g.table_name in ('outbox', 'outbox_inserts') and g.privilege_type = 'INSERT'
              and g.grantee <> (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = 'sfsync.outbox'::regclass)
  loop
    execute format('grant insert on sfsync.outbox, sfsync.outbox_inserts, sfsync.outbox_updates to %s',
                   case when r.grantee = 'PUBLIC' then 'public' else quote_ident(r.grantee) end);
    execute format('grant usage on sequence sfsync.outbox_id_seq to %s',
                   case when r.grantee = 'PUBLIC' then 'public' else quote_ident(r.grantee) end);
  end loop;
end;
$$;
