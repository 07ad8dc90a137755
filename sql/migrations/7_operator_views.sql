-- 7: the operator's surface in SQL — views to read the sync state and
-- functions to steer it, so everything `sfsync` does from the CLI can be done
-- from psql (the CLI calls exactly these).
--
-- Why views rather than CLI-side queries: operators and dashboards read the
-- same numbers the CLI prints, and the numbers are computed where the data
-- lives. Counts of open outbox rows use the partial indexes of migration 3
-- (`outbox_open`, `outbox_failed`), so `mapping_status` stays cheap with
-- millions of successful rows. The last primary window uses
-- `poll_windows_recent` (migration 4).
--
-- Mappings are named by id, by Salesforce object (case-insensitive) or by
-- `schema.table`: `resolve_mapping` turns any of them into an id and fails
-- with a message naming the fix.

create function resolve_mapping(p_mapping text) returns bigint
language plpgsql stable as $$
declare
  v_ids bigint[];
begin
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

-- One row per mapping: what `sfsync status` prints.
--   pull_lag:  how far the read path's watermark is behind now (null before the first poll);
--   push_lag:  age of the oldest change still waiting to reach Salesforce;
--   api_calls_today: calls recorded by this mapping's poll windows since midnight (server time);
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
    count(*) filter (where ob.state in ('new', 'pending')) as pending,
    count(*) filter (where ob.state = 'failed') as failed,
    min(ob.created_at) filter (where ob.state in ('new', 'pending')) as oldest_open_at
  from sfsync.outbox ob
  where ob.mapping_id = m.id and ob.state in ('new', 'pending', 'failed')
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
  ob.op,
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

-- Pause one mapping (or every mapping when null): its polls and pushes stop
-- until `resume`; changes keep being captured into the outbox meanwhile.
-- Returns the ids paused; notifies `sfsync:mappings` so running engines react.
create function pause(p_mapping text default null) returns setof bigint
language plpgsql as $$
declare
  v_id bigint := case when p_mapping is null then null else sfsync.resolve_mapping(p_mapping) end;
begin
  return query
    update sfsync.mappings m set state = 'paused', updated_at = now()
    where (v_id is null or m.id = v_id) and m.state <> 'paused'
    returning m.id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'pause', 'mappingId', v_id)::text);
end $$;

comment on function pause(text) is 'Pause a mapping (id, object or schema.table; null = all): no polls, no pushes; changes are still captured.';

-- Resume paused mappings: back to `active`, or `new` when the mapping never
-- completed a poll (its initial load still has to run). Returns the ids resumed.
create function resume(p_mapping text default null) returns setof bigint
language plpgsql as $$
declare
  v_id bigint := case when p_mapping is null then null else sfsync.resolve_mapping(p_mapping) end;
begin
  return query
    update sfsync.mappings m
    set state = case when m.watermark is null then 'new' else 'active' end, updated_at = now()
    where (v_id is null or m.id = v_id) and m.state = 'paused'
    returning m.id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'resume', 'mappingId', v_id)::text);
end $$;

comment on function resume(text) is 'Resume paused mappings (null = all); a mapping that never loaded goes back to new.';

-- Queue a full reload (Bulk API 2.0) of a mapping: one waiting job per
-- mapping (job key `sfsync:reload:<id>`, the same key the engine uses), so
-- asking twice queues one reload. Plpgsql so this migration does not depend
-- on graphile-worker's schema existing yet (it is installed right after).
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

-- Queue a reconciliation (compare every Id + SystemModstamp) of a mapping now.
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
