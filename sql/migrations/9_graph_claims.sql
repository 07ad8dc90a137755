-- 8: claiming a parent's waiting children for a composite graph.
--
-- A push of a parent mapping that inserts parents without an External ID
-- sends each parent with its new children (rows whose lookup holds
-- `@<parent id>`) as one composite graph (src/outbound/claim-families.ts).
-- It claims those children from the child mapping's outbox here, under the
-- child mapping's claim lock (the one claim_outbox takes), in a transaction
-- of its own: no transaction ever holds two mappings' claim locks, and a
-- concurrent push of the child mapping claims either before (the child is
-- skipped here) or after (it skips the child, claimed now). The claims carry
-- this backend's pid like claim_outbox's, so recover_outbox takes them back
-- when the claiming process dies.

-- Plan-proof on a bursty outbox: 5,000 children inserted a moment ago have no statistics
-- yet, and a join of them with the parents' values was planned as a nested loop (6.6 s in
-- bench:families). So each statement reads the outbox by index and matches the values with
-- `= any`, which a custom plan (forced: plan_cache_mode) hashes, as claim_outbox does.
create function sfsync.claim_waiting_children(p_mapping_id bigint, p_claimed_by text, p_fields text[], p_values text[], p_limit integer)
returns setof sfsync.outbox
language plpgsql
set plan_cache_mode = force_custom_plan
as $$
declare
  v_candidates bigint[];
  v_records bigint[];
begin
  if p_mapping_id is null or coalesce(p_claimed_by, '') = '' or p_fields is null or p_values is null then
    raise exception 'sfsync.claim_waiting_children: pass the child mapping id, the claimer name, the reference fields and the @<id> values'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_limit is null or p_limit <= 0 then
    raise exception 'sfsync.claim_waiting_children: p_limit % is not a positive number; pass how many records to claim at most, e.g. 10000', coalesce(p_limit::text, 'null')
      using errcode = case when p_limit is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  perform pg_advisory_xact_lock(1599864836, p_mapping_id::integer);
  -- New inserts naming one of the parents in a reference field.
  select array_agg(distinct n.record_id) into v_candidates
    from sfsync.outbox n
   where n.mapping_id = p_mapping_id and n.state = 'new' and n.op = 'insert'
     and exists (select 1 from unnest(p_fields) f where n.changed ->> f = any (p_values));
  if v_candidates is null then
    return;
  end if;
  -- Of those, records whose live changes are all new, start with an insert of known outcome
  -- (never sent: a graph is all or nothing, so a child of unknown outcome goes its own way,
  -- looked up first), and hold no delete. Back-off is ignored: a waiting child's back-off
  -- waits for exactly this parent.
  select array_agg(record_id) into v_records from (
    select o.record_id
      from sfsync.outbox o
     where o.mapping_id = p_mapping_id and o.record_id = any (v_candidates) and o.state in ('new', 'claimed', 'failed')
     group by o.record_id
    having bool_and(o.state = 'new') and not bool_or(o.op = 'delete') and bool_and(o.unknown_since is null)
       and (array_agg(o.op order by o.id))[1] = 'insert'
     order by min(o.id)
     limit p_limit
  ) chosen;
  if v_records is null then
    return;
  end if;
  return query
  update sfsync.outbox o
     set state = 'claimed', claimed_by = p_claimed_by, claimed_at = now(), claimed_pid = pg_backend_pid()
   where o.mapping_id = p_mapping_id and o.record_id = any (v_records) and o.state = 'new'
  returning o.*;
end;
$$;
comment on function sfsync.claim_waiting_children(bigint, text, text[], text[], integer) is
  'Claim, for a composite graph with their parents, the new never-sent inserts of a child mapping whose reference fields name one of p_values (@<id>).';

create function sfsync.waiting_children_in_flight(p_mapping_id bigint, p_claimed_by text, p_fields text[], p_values text[])
returns boolean
language sql
stable
set plan_cache_mode = force_custom_plan
as $$
  select exists (select 1
                   from sfsync.outbox n
                  where n.mapping_id = p_mapping_id and n.state = 'claimed' and n.op = 'insert'
                    and n.claimed_by is distinct from p_claimed_by
                    and exists (select 1 from unnest(p_fields) f where n.changed ->> f = any (p_values)));
$$;
comment on function sfsync.waiting_children_in_flight(bigint, text, text[], text[]) is
  'Whether another push holds claimed inserts of the child mapping whose reference fields name one of p_values (@<id>): children claim_waiting_children could not take yet.';

create function sfsync.hand_back_claims(p_ids bigint[])
returns integer
language plpgsql
as $$
declare
  n integer;
begin
  if p_ids is null then
    raise exception 'sfsync.hand_back_claims: p_ids is null; pass the outbox ids claim_waiting_children returned'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox set state = 'new', claimed_by = null, claimed_pid = null, claimed_at = null
   where id = any (p_ids) and state = 'claimed';
  get diagnostics n = row_count;
  return n;
end;
$$;
comment on function sfsync.hand_back_claims(bigint[]) is
  'Put claimed changes back to new untouched (never sent: no attempt, no unknown outcome), e.g. children claimed for a graph they could not join. Returns the count.';
