-- 7: API budget — how much of an org's daily API allowance sfsync may spend.
--
-- A connection's budget is a share of the org's daily limit (default 50 %,
-- leaving the rest to the org's other integrations); the engine's governor
-- (src/jobs/api-governor.ts) slows, then stops, sfsync's own calls as the
-- org's usage approaches it. api_usage/api_limit are now written by the
-- engine in batches from every response's Sforce-Limit-Info, and governor
-- says what it is doing. A mapping may also have a daily cap of its own
-- (Heroku Connect's sf_max_daily_api_calls; `sfsync import` carries it over).

alter table sfsync.connections
  add column api_budget_share real not null default 0.5
    constraint connections_api_budget_share_range check (api_budget_share > 0 and api_budget_share <= 1),
  add column governor text not null default 'normal'
    constraint connections_governor_state check (governor in ('normal', 'slow', 'stopped'));

alter table sfsync.mappings
  add column max_daily_api_calls integer
    constraint mappings_max_daily_api_calls_positive check (max_daily_api_calls > 0);

comment on column sfsync.connections.api_budget_share is
  'Share of the org''s daily API limit sfsync may use (0 < share <= 1; default 0.5).';
comment on column sfsync.connections.governor is
  'What the API governor does: normal, slow (polls and drift re-polls stretched, pushes batched) or stopped (only waiting changes are pushed).';
comment on column sfsync.mappings.max_daily_api_calls is
  'Daily cap on this mapping''s poll calls (Heroku Connect''s sf_max_daily_api_calls); null: none. Polls stop for the day at the cap.';

-- Per connection: the org's usage as last reported, the budget and the governor.
create view sfsync.api_budget as
select
  c.name as connection,
  c.api_usage,
  c.api_limit,
  c.api_budget_share,
  floor(c.api_limit * c.api_budget_share)::integer as api_budget,
  case when c.api_limit > 0 and c.api_usage is not null
       then round((100 * c.api_usage / (c.api_limit * c.api_budget_share))::numeric, 1) end as budget_used_pct,
  c.governor,
  c.api_usage_at
from sfsync.connections c;

comment on view sfsync.api_budget is
  'Per connection: the org''s API usage today as last reported, the budget (a share of its daily limit), the share used and the governor''s state.';

-- The engine's batched write of API usage: one statement for every
-- connection whose usage moved since the last flush (a few seconds apart),
-- never one per Salesforce call. A report older than the stored one is
-- ignored (another process saw a newer response).
create function sfsync.record_api_usage(p_connection_ids bigint[], p_used integer[], p_limits integer[], p_at timestamptz[], p_governor text[])
returns void
language sql as $$
  update sfsync.connections c
     set api_usage = r.used, api_limit = r.lim, api_usage_at = r.at, governor = r.governor
    from unnest(p_connection_ids, p_used, p_limits, p_at, p_governor) as r(id, used, lim, at, governor)
   where c.id = r.id and (c.api_usage_at is null or c.api_usage_at <= r.at);
$$;

comment on function sfsync.record_api_usage(bigint[], integer[], integer[], timestamptz[], text[]) is
  'Write the API usage and governor state the engine saw, for many connections in one statement; older reports than the stored one are ignored.';
