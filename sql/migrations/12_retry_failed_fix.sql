-- 12: retry_failed, corrected. Migration 11's version selected
-- `distinct … pg_notify(…)`, and pg_notify returns void, which has no
-- equality operator, so every call failed. Same behaviour otherwise: failed
-- changes go back to 'new' minus the fields a later change of the same record
-- already sent, and each affected mapping is notified once.
create or replace function retry_failed(p_mapping_id bigint default null, p_outbox_ids bigint[] default null) returns integer
language plpgsql as $$
declare
  n integer;
  ids bigint[];
  m bigint;
begin
  with retried as (
    update sfsync.outbox f
       set state = 'new', attempts = 0, next_attempt_at = now(), error = null, done_at = null,
           changed = f.changed - coalesce((
             select array_agg(distinct k) from sfsync.outbox l, jsonb_object_keys(l.changed) k
              where l.mapping_id = f.mapping_id and l.record_id = f.record_id and l.id > f.id and l.state = 'success'), '{}')
     where f.state = 'failed'
       and (p_mapping_id is null or f.mapping_id = p_mapping_id)
       and (p_outbox_ids is null or f.id = any (p_outbox_ids))
    returning f.mapping_id
  )
  select count(*), array_agg(distinct mapping_id) into n, ids from retried;
  foreach m in array coalesce(ids, '{}') loop
    perform pg_notify('sfsync:outbox', m::text);
  end loop;
  return n;
end;
$$;
