-- 11: inserts are captured as ids only, into an index-less log the push drains.
--
-- An application's INSERT paid for a whole outbox row per inserted row inside
-- its own transaction: the row's values built as jsonb and two index entries.
-- For a 10,000-row statement that was most of the capture's cost
-- (docs/schema.md, "Against Heroku Connect's design"). Now the statement
-- trigger writes one narrow row per inserted row into sfsync.outbox_inserts,
-- which has no index, and the values are read from the table when the row is
-- moved into the outbox: by the claim (claim_outbox, claim_waiting_children),
-- and by an inbound apply before it weighs a page's unsent changes.
--
-- Order: a logged insert takes its id from the outbox's own sequence when it
-- is captured, and keeps it in the outbox, so a record's insert stays before
-- the updates and deletes captured after it. A claim skips every record that
-- still has a logged insert: if a later change of the record is visible, the
-- insert's transaction committed before it or with it, so its log row is
-- visible too (test/db/insert-log.test.ts holds a claim's drain on a lock while
-- a record is inserted and updated in one transaction).
-- UPDATE and DELETE still write the outbox directly (sql/templates/capture-function.sql).

create table sfsync.outbox_inserts (
  id          bigint not null default nextval('sfsync.outbox_id_seq'),
  mapping_id  bigint not null,
  record_id   bigint not null,
  txid        xid8 not null default pg_current_xact_id(),
  created_at  timestamptz not null default clock_timestamp()
);
comment on table sfsync.outbox_inserts is
  'Inserts captured but not yet moved into the outbox (ids only; sfsync.drain_inserts moves them with the row''s values). No index: every captured row costs the application''s transaction as little as possible.';

-- Move a mapping's logged inserts (all, or those of p_record_ids) into the
-- outbox, each with its id, its transaction and its capture time, and the
-- row's non-null mapped writable values as they are now (the form the capture
-- function built, keyed by Salesforce field name). A row deleted meanwhile
-- becomes an ignored insert: its delete, captured after it, has nothing to
-- delete. Waits for another drain of the same rows to finish.
--
-- The work is the table's generated tg_<table>__drain_inserts(bigint[])
-- (sql/templates/drain-function.sql, installed with the capture function),
-- whose static statement each session plans once. Without it (dropped by
-- hand, say) the same statement is built here from the mapping's field_info
-- and planned on every call: about 0.4 ms more.
create function sfsync.drain_inserts(p_mapping_id bigint, p_record_ids bigint[] default null) returns integer
language plpgsql as $$
declare
  v_map sfsync.mappings;
  v_values text;
  n integer;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.drain_inserts: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if not exists (select 1 from sfsync.outbox_inserts where mapping_id = p_mapping_id) then
    return 0;
  end if;
  select * into v_map from sfsync.mappings where id = p_mapping_id;
  if not found then
    raise exception 'sfsync.drain_inserts: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if to_regprocedure(format('%I.%I(bigint[])', v_map.schema_name, 'tg_' || v_map.table_name || '__drain_inserts')) is not null then
    execute format('select %I.%I($1)', v_map.schema_name, 'tg_' || v_map.table_name || '__drain_inserts') into n using p_record_ids;
    return n;
  end if;
  -- jsonb_build_object takes at most 100 arguments: 50 (field, value) pairs per call.
  select coalesce('jsonb_strip_nulls(' || string_agg(chunk, ' || ' order by part) || ')', '''{}''::jsonb') into v_values
    from (select (e.ord - 1) / 50 as part,
                 'jsonb_build_object(' || string_agg(format('%L, n.%I', e.f ->> 'name', e.f ->> 'column'), ', ' order by e.ord) || ')' as chunk
            from jsonb_array_elements(v_map.field_info) with ordinality as e(f, ord)
           where not coalesce((e.f ->> 'removed')::boolean, false)
             and not coalesce((e.f ->> 'calculated')::boolean, false)
             and (coalesce((e.f ->> 'createable')::boolean, false) or coalesce((e.f ->> 'updateable')::boolean, false))
           group by (e.ord - 1) / 50) chunks;
  execute format(
    'with moved as (
       delete from sfsync.outbox_inserts l
        where l.mapping_id = $1 and ($2::bigint[] is null or l.record_id = any ($2))
       returning l.id, l.record_id, l.txid, l.created_at)
     insert into sfsync.outbox (id, mapping_id, record_id, sfid, op, changed, txid, created_at, state, done_at)
     overriding system value
     select m.id, $1, m.record_id, n.sfid, ''insert'', case when n.id is null then ''{}''::jsonb else %s end,
            m.txid, m.created_at,
            case when n.id is null then ''ignored'' else ''new'' end::sfsync.outbox_state,
            case when n.id is null then now() end
       from moved m left join %I.%I n on n.id = m.record_id
      order by m.id',
    v_values, v_map.schema_name, v_map.table_name)
  using p_mapping_id, p_record_ids;
  get diagnostics n = row_count;
  return n;
end;
$$;
comment on function sfsync.drain_inserts(bigint, bigint[]) is
  'Move a mapping''s logged inserts (all, or those of p_record_ids) into the outbox with the row''s current values. Returns the count. The claim runs it; an operator never needs to.';

-- As in migration 10, and the table's drain function goes with its capture function.
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
    foreach suffix in array array['__capture', '__capture_insert', '__capture_update', '__capture_delete', '__truncate', '__hc_status'] loop
      execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || suffix, m.schema_name, m.table_name);
    end loop;
    if p_drop_table then
      execute format('drop table %I.%I', m.schema_name, m.table_name);
    end if;
  end if;
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__capture');
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__hc_status');
  execute format('drop function if exists %I.%I(bigint[])', m.schema_name, 'tg_' || m.table_name || '__drain_inserts');
  delete from sfsync.mappings where id = p_mapping_id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'removed', 'mappingId', p_mapping_id::text)::text);
  return true;
end;
$$;

-- As in migration 1, but the mapping's logged inserts are drained first, and
-- records that still have one (logged after the drain) wait for the next claim.
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
  perform sfsync.drain_inserts(p_mapping_id);
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

-- As in migration 9, but the child mapping's logged inserts are drained first
-- (a waiting child is found by the values it was inserted with), and records
-- that still have one wait.
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
  perform sfsync.drain_inserts(p_mapping_id);
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

-- As in migration 1, and a mapping with logged inserts has work too.
create or replace function sfsync.mappings_to_push() returns setof bigint
language sql stable as $$
  select m.id from sfsync.mappings m join sfsync.connections c on c.id = m.connection_id
   where m.mode = 'read_write' and m.state <> 'paused'
     and (c.push_paused_until is null or c.push_paused_until <= now())
     and (exists (select 1 from sfsync.outbox o
                   where o.mapping_id = m.id and o.state = 'new' and o.next_attempt_at <= now())
          or exists (select 1 from sfsync.outbox_inserts l where l.mapping_id = m.id)
          or exists (select 1 from sfsync.outbox o
                      where o.mapping_id = m.id and o.state = 'claimed'
                        and (o.claimed_at < now() - interval '10 minutes'
                             or not exists (select 1 from pg_stat_activity a
                                             where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))));
$$;

-- A removed mapping's logged inserts go with its outbox rows.
create or replace function sfsync.delete_mapping_outbox() returns trigger
language plpgsql as $$
begin
  delete from sfsync.outbox where mapping_id = OLD.id;
  delete from sfsync.outbox_inserts where mapping_id = OLD.id;
  return null;
end;
$$;

-- The views count a logged insert as a pending change, as they did when it
-- was an outbox row. Otherwise as in migrations 1 and 6.
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
        select 'new'::sfsync.outbox_state, l.created_at from sfsync.outbox_inserts l where l.mapping_id = m.id) ob
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
          select 'new'::sfsync.outbox_state, l.created_at from sfsync.outbox_inserts l where l.mapping_id = m.id) ob
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
      select l.id, l.mapping_id, l.record_id, null, 'insert', 'new', l.created_at, 0, l.created_at, null
        from sfsync.outbox_inserts l) ob
join sfsync.mappings m on m.id = ob.mapping_id
join sfsync.connections c on c.id = m.connection_id
group by ob.mapping_id, m.schema_name, m.table_name, ob.record_id, c.name;
