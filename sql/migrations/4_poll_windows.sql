-- 4: poll_windows — one row per poll of a SystemModstamp window [lower, upper).
--
-- Why: the window log is how sfsync proves it missed nothing. A primary window
-- is polled again after the mapping's drift delay (kind 'secondary', same
-- bounds); `drift_fixed` counts the records the second look found that the
-- first did not. `reload` and `reconcile` rows record full passes. A failed
-- window is retried; the mapping's watermark never passes it.
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
  check (lower < upper)
);

create index poll_windows_recent on poll_windows (mapping_id, kind, upper desc);
-- Primary windows whose drift re-poll is due.
create index poll_windows_secondary_due on poll_windows (secondary_due_at)
  where kind = 'primary' and secondary_due_at is not null;
