-- 5: stream_state — one row per subscribed streaming channel.
--
-- Why: the replayId is committed only after the poll an event triggered has
-- committed, so a restart resumes from it and no change is skipped; when it is
-- no longer retained, the engine falls back to polling from the watermark.
create table stream_state (
  connection_id  bigint not null references connections (id) on delete cascade,
  channel        text not null check (channel ~ '^/'),
  replay_id      bigint,
  updated_at     timestamptz not null default now(),
  primary key (connection_id, channel)
);
