-- 13: claim_outbox and mappings_to_push, faster and quieter.
--
-- Why:
-- - Migration 11's claim joined the chosen records back to the outbox with
--   `update … from records`, which the planner ran as a nested loop over a
--   sequential scan: claiming 3,000 records took 2–3 s (quadratic). Here the
--   record ids go in as an array, so the update walks the outbox_record index
--   (mapping_id, record_id, id): the same claim takes milliseconds.
-- - mappings_to_push (the sweep) listed every mapping with a 'pending' row,
--   so while one push worked, each sweep queued another that found nothing.
--   Now only pending rows the sweep could recover count: their claiming
--   backend is gone or their lease (10 minutes) expired — as recover_outbox.
create or replace function claim_outbox(p_mapping_id bigint, p_claimed_by text, p_limit integer) returns setof outbox
language plpgsql as $$
declare
  v_records bigint[];
begin
  perform pg_advisory_xact_lock(1599864836, p_mapping_id::integer);
  select array_agg(record_id) into v_records from (
    select o.record_id
    from sfsync.outbox o
    where o.mapping_id = p_mapping_id and o.state = 'new'
    group by o.record_id
    having bool_and(o.next_attempt_at <= now())
       and not exists (select 1 from sfsync.outbox p
                        where p.mapping_id = p_mapping_id and p.record_id = o.record_id and p.state = 'pending')
    order by min(o.id)
    limit p_limit
  ) chosen;
  if v_records is null then
    return;
  end if;
  return query
  update sfsync.outbox o
     set state = 'pending', claimed_by = p_claimed_by, claimed_at = now(), claimed_pid = pg_backend_pid()
   where o.mapping_id = p_mapping_id and o.record_id = any (v_records) and o.state = 'new'
  returning o.*;
end;
$$;

create or replace function mappings_to_push() returns setof bigint
language sql stable as $$
  select m.id from sfsync.mappings m join sfsync.connections c on c.id = m.connection_id
   where m.mode = 'read_write' and m.state <> 'paused'
     and (c.push_paused_until is null or c.push_paused_until <= now())
     and (exists (select 1 from sfsync.outbox o
                   where o.mapping_id = m.id and o.state = 'new' and o.next_attempt_at <= now())
          or exists (select 1 from sfsync.outbox o
                      where o.mapping_id = m.id and o.state = 'pending'
                        and (o.claimed_at < now() - interval '10 minutes'
                             or not exists (select 1 from pg_stat_activity a
                                             where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))));
$$;
