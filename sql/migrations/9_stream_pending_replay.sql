-- 9: stream_state.pending_replay_id — the replayId received but not yet covered by a committed poll.
--
-- Why: an event only triggers a poll; its replayId may be stored as `replay_id`
-- (where a restart resumes) only once a poll that started after the event was
-- received has committed. The subscriber writes the newest received id here;
-- the poll reads it before querying and, after its window commits, promotes
-- exactly that value to `replay_id`. A crash in between replays the event,
-- which triggers another (idempotent) poll: nothing is skipped.
alter table stream_state add column pending_replay_id bigint;
alter table stream_state add column pending_at timestamptz;
