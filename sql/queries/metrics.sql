-- Every sfsync gauge in one round trip, as (kind, key, label, metric, value)
-- rows; read by src/engine/metrics.ts at each /metrics scrape. Counts of open
-- and failed outbox rows use the outbox_live partial index; pending comes from
-- mapping_status, which counts logged inserts (sfsync.outbox_inserts) too.
with m as (
  select id, sobject from sfsync.mappings
), per_mapping as (
  select m.id, m.sobject,
    (select count(*) from sfsync.outbox o where o.mapping_id = m.id and o.state = 'success') as pushed,
    s.pending_changes as pending,
    (select count(*) from sfsync.outbox o where o.mapping_id = m.id and o.state = 'failed') as failed,
    s.pull_lag, s.push_lag, (s.state = 'paused')::int as paused,
    w.pulled, w.window_errors, w.drift, w.api_calls
  from m
  join sfsync.mapping_status s on s.mapping_id = m.id
  left join lateral (
    select sum(records_applied) as pulled,
           count(*) filter (where outcome = 'failed') as window_errors,
           sum(drift_fixed) as drift,
           sum(api_calls) as api_calls
    from sfsync.poll_windows pw where pw.mapping_id = m.id
  ) w on true
)
select 'mapping' as kind, id::text as key, sobject as label, metric, value::float8 as value
from per_mapping,
  lateral (values
    ('pushed', pushed::numeric), ('pending', pending::numeric), ('failed', failed::numeric),
    ('pulled', coalesce(pulled, 0)::numeric), ('windowErrors', coalesce(window_errors, 0)::numeric),
    ('drift', coalesce(drift, 0)::numeric), ('apiCalls', coalesce(api_calls, 0)::numeric),
    ('pullLag', extract(epoch from pull_lag)), ('pushLag', coalesce(extract(epoch from push_lag), 0)),
    ('paused', paused::numeric)
  ) as v(metric, value)
union all
select 'connection', id::text, name, 'usage', api_usage::float8 from sfsync.connections
union all
select 'connection', id::text, name, 'limit', api_limit::float8 from sfsync.connections
union all
select 'connection', id::text, name, 'budget', floor(api_limit * api_budget_share)::float8 from sfsync.connections
union all
select 'connection', id::text, name, 'governor', case governor when 'normal' then 0 when 'slow' then 1 else 2 end::float8 from sfsync.connections
union all
select 'queue', task_identifier, task_identifier, 'depth', count(*)::float8
from graphile_worker.jobs where task_identifier like 'sfsync:%' group by task_identifier;
