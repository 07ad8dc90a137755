-- 18: sfsync.open_changes — the mapped rows with changes still to be sent,
-- one line per row.
--
-- Why: a mapped row's `_sfsync_state` is the outcome of its last push. It does
-- not turn 'pending' when the app changes the row again: marking the row in
-- the app's transaction would cost every write another trigger call. This
-- view answers "which rows are waiting, since when, and why" from the outbox
-- (its outbox_live index): join it to the table on record_id = id.
create view open_changes as
select
  ob.mapping_id,
  m.schema_name,
  m.table_name,
  ob.record_id,
  (array_agg(ob.sfid order by ob.id desc) filter (where ob.sfid is not null))[1] as sfid,
  array_agg(ob.op::text order by ob.id) as ops,
  bool_or(ob.state = 'pending') as in_flight,
  min(ob.created_at) as waiting_since,
  max(ob.attempts) as attempts,
  max(ob.next_attempt_at) filter (where ob.state = 'new' and ob.attempts > 0) as next_attempt_at,
  (array_agg(ob.error order by ob.id desc) filter (where ob.error is not null))[1] as last_error
from sfsync.outbox ob
join sfsync.mappings m on m.id = ob.mapping_id
where ob.state in ('new', 'pending')
group by ob.mapping_id, m.schema_name, m.table_name, ob.record_id;

comment on view open_changes is
  'Per mapped row with changes still to be sent: their ops in order, whether one is in flight, since when it waits, retries, the next attempt and the last error (e.g. WAITING_FOR_PARENT). Join to the table on record_id = id.';
