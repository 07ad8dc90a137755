-- 11: outbox functions — claim, recover, retry, discard, pause — and the
-- outbox_status view. The push task (src/tasks/push.ts) is a thin caller.
--
-- Why:
-- - Ordering per record: `claim_outbox` takes every due 'new' row of a record
--   together, and only records with no 'pending' row (a change in flight or
--   of unknown outcome), under a per-mapping advisory lock held for the claim
--   statement only. So two engines never hold changes of one record at once,
--   and a later change is never sent before an earlier one resolves.
-- - Crash recovery: a claim records the claiming backend's pid. The push
--   keeps that connection for its whole run, so when the process dies, its
--   backend exits and `recover_outbox` sees the pid gone (or the lease, 10
--   minutes by default, expired) and puts the rows back to 'new' with
--   `unknown_since` = when they were claimed: the outcome is unknown, so an
--   insert without an External ID is first looked up in Salesforce.
-- - REQUEST_LIMIT_EXCEEDED pauses every push of the connection until
--   `connections.push_paused_until` (set by the push, seen in outbox_status);
--   pushes resume by themselves when it passes (the sweep re-queues them).
-- - retry_failed drops from a retried change the fields a later change of the
--   same record has since sent successfully, so a retry never overwrites a
--   newer value with an older one.
alter table outbox add column claimed_pid integer;
alter table outbox add column unknown_since timestamptz;
alter table connections add column push_paused_until timestamptz;

create function claim_outbox(p_mapping_id bigint, p_claimed_by text, p_limit integer) returns setof outbox
language plpgsql as $$
begin
  perform pg_advisory_xact_lock(1599864836, p_mapping_id::integer);
  return query
  with records as (
    select o.record_id
    from sfsync.outbox o
    where o.mapping_id = p_mapping_id and o.state = 'new'
    group by o.record_id
    having bool_and(o.next_attempt_at <= now())
       and not exists (select 1 from sfsync.outbox p
                        where p.mapping_id = p_mapping_id and p.record_id = o.record_id and p.state = 'pending')
    order by min(o.id)
    limit p_limit
  )
  update sfsync.outbox o
     set state = 'pending', claimed_by = p_claimed_by, claimed_at = now(), claimed_pid = pg_backend_pid()
    from records r
   where o.mapping_id = p_mapping_id and o.record_id = r.record_id and o.state = 'new'
  returning o.*;
end;
$$;

comment on function claim_outbox(bigint, text, integer) is
  'Claim (state pending) every due new change of up to p_limit records of a mapping, oldest first; records with a change in flight are skipped.';

create function recover_outbox(p_mapping_id bigint, p_lease interval default '10 minutes') returns integer
language sql as $$
  with dead as (
    update sfsync.outbox o
       set state = 'new', unknown_since = coalesce(o.unknown_since, o.claimed_at),
           claimed_by = null, claimed_pid = null, next_attempt_at = now()
     where o.mapping_id = p_mapping_id and o.state = 'pending'
       and (o.claimed_at < now() - p_lease
            or not exists (select 1 from pg_stat_activity a
                            where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))
    returning 1
  )
  select count(*)::integer from dead;
$$;

comment on function recover_outbox(bigint, interval) is
  'Put back to new (outcome unknown) the pending changes of a mapping whose claiming backend is gone or whose lease expired.';

create function retry_failed(p_mapping_id bigint default null, p_outbox_ids bigint[] default null) returns integer
language plpgsql as $$
declare
  n integer;
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
  ), notified as (
    select distinct mapping_id, pg_notify('sfsync:outbox', mapping_id::text) from retried
  )
  select (select count(*) from retried) into n from (select count(*) from notified) x;
  return n;
end;
$$;

comment on function retry_failed(bigint, bigint[]) is
  'Send failed changes again (all, one mapping''s, or the given outbox ids); fields a later change already sent are dropped. Returns the count.';

create function discard_failed(p_mapping_id bigint default null, p_outbox_ids bigint[] default null) returns integer
language sql as $$
  with discarded as (
    update sfsync.outbox f set state = 'ignored', done_at = now()
     where f.state = 'failed'
       and (p_mapping_id is null or f.mapping_id = p_mapping_id)
       and (p_outbox_ids is null or f.id = any (p_outbox_ids))
    returning 1
  )
  select count(*)::integer from discarded;
$$;

comment on function discard_failed(bigint, bigint[]) is
  'Give up on failed changes (all, one mapping''s, or the given outbox ids): state ignored. Returns the count.';

-- Mappings the sweep should push: due new changes, or pending ones whose
-- claimer may be gone, on connections not paused by the API limit.
create function mappings_to_push() returns setof bigint
language sql stable as $$
  select m.id from sfsync.mappings m join sfsync.connections c on c.id = m.connection_id
   where m.mode = 'read_write' and m.state <> 'paused'
     and (c.push_paused_until is null or c.push_paused_until <= now())
     and exists (select 1 from sfsync.outbox o
                  where o.mapping_id = m.id and o.state in ('new', 'pending')
                    and (o.state = 'pending' or o.next_attempt_at <= now()));
$$;

create view outbox_status as
select
  m.id as mapping_id,
  m.sobject,
  m.schema_name,
  m.table_name,
  coalesce(o.pending, 0)::bigint as pending,
  coalesce(o.failed, 0)::bigint as failed,
  now() - o.oldest_pending_at as oldest_pending_age,
  e.error as last_error,
  c.push_paused_until
from sfsync.mappings m
join sfsync.connections c on c.id = m.connection_id
left join lateral (
  select count(*) filter (where ob.state in ('new', 'pending')) as pending,
         count(*) filter (where ob.state = 'failed') as failed,
         min(ob.created_at) filter (where ob.state in ('new', 'pending')) as oldest_pending_at
    from sfsync.outbox ob
   where ob.mapping_id = m.id and ob.state in ('new', 'pending', 'failed')
) o on true
left join lateral (
  select ob.error from sfsync.outbox ob
   where ob.mapping_id = m.id and ob.state in ('new', 'pending', 'failed') and ob.error is not null
   order by ob.id desc limit 1
) e on true;

comment on view outbox_status is
  'Per mapping: changes waiting (new/pending), failed, the oldest waiting change''s age, the last error, and an API-limit pause.';
