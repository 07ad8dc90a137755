-- 2: the outbox state machine. Every change of an outbox row's state is
-- one function here or in the migrations before; src/outbox/outbox.ts is the
-- only TypeScript that names the table, and each of its calls is one of these.
--
--   new ──claim_outbox──▶ claimed ──settle_outbox──▶ success | merged | failed
--    ▲                      │                               │
--    └── release_claims, recover_outbox, settle (retry) ────┘ retry_failed ▶ new
--   new ──drop_fields (Salesforce won every field)──▶ ignored
--   failed ──discard_failed──▶ ignored;  failed ──merge_failed──▶ merged
--   (capture triggers and queue_resend insert 'new'; prune_outbox deletes finished rows)
--
-- The state a push holds was called 'pending', which elsewhere means "not yet
-- settled" (`_sfsync_state`, the pending counts of the views): it is
-- 'claimed' now, so 'pending' keeps that one meaning. An enum value renamed
-- keeps its identity, so indexes, views and stored rows follow; the functions
-- that name it in their text are created again below.
alter type outbox_state rename value 'pending' to 'claimed';

-- As the baseline's, with the state renamed.
create or replace function recover_outbox(p_mapping_id bigint, p_lease interval default '10 minutes') returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.recover_outbox: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.recover_outbox: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if p_lease is null then
    raise exception 'sfsync.recover_outbox: p_lease is null; pass a positive interval, e.g. ''10 minutes'' (the default)'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_lease <= interval '0' then
    raise exception 'sfsync.recover_outbox: lease % would take back changes still being sent (they would be sent twice); pass a positive interval, e.g. ''10 minutes''', p_lease
      using errcode = 'invalid_parameter_value';
  end if;
  with dead as (
    update sfsync.outbox o
       set state = 'new', unknown_since = coalesce(o.unknown_since, o.claimed_at),
           claimed_by = null, claimed_pid = null, next_attempt_at = now()
     where o.mapping_id = p_mapping_id and o.state = 'claimed'
       and (o.claimed_at < now() - p_lease
            or not exists (select 1 from pg_stat_activity a
                            where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))
    returning 1
  )
  select count(*)::integer into n from dead;
  return n;
end;
$$;

create or replace function claim_outbox(p_mapping_id bigint, p_claimed_by text, p_limit integer) returns setof outbox
language plpgsql as $$
declare
  v_records bigint[];
begin
  if p_mapping_id is null then
    raise exception 'sfsync.claim_outbox: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if coalesce(p_claimed_by, '') = '' then
    raise exception 'sfsync.claim_outbox: p_claimed_by is null or empty; name the claimer (a failing push hands its claims back by that name)'
      using errcode = case when p_claimed_by is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  if p_limit is null or p_limit <= 0 then
    raise exception 'sfsync.claim_outbox: p_limit % is not a positive number; pass how many records to claim, e.g. 1000', coalesce(p_limit::text, 'null')
      using errcode = case when p_limit is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  if not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.claim_outbox: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  perform pg_advisory_xact_lock(1599864836, p_mapping_id::integer);
  select array_agg(record_id) into v_records from (
    select o.record_id
    from sfsync.outbox o
    where o.mapping_id = p_mapping_id and o.state = 'new'
    group by o.record_id
    having bool_and(o.next_attempt_at <= now())
       and not exists (select 1 from sfsync.outbox p
                        where p.mapping_id = p_mapping_id and p.record_id = o.record_id and p.state = 'claimed')
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

-- As the baseline's, with the state renamed.
create or replace function mappings_to_push() returns setof bigint
language sql stable as $$
  select m.id from sfsync.mappings m join sfsync.connections c on c.id = m.connection_id
   where m.mode = 'read_write' and m.state <> 'paused'
     and (c.push_paused_until is null or c.push_paused_until <= now())
     and (exists (select 1 from sfsync.outbox o
                   where o.mapping_id = m.id and o.state = 'new' and o.next_attempt_at <= now())
          or exists (select 1 from sfsync.outbox o
                      where o.mapping_id = m.id and o.state = 'claimed'
                        and (o.claimed_at < now() - interval '10 minutes'
                             or not exists (select 1 from pg_stat_activity a
                                             where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))));
$$;

-- A push that failed unexpectedly (not a per-record Salesforce error) hands
-- its claims back as changes of unknown outcome: the call may have landed,
-- so the next push looks before it sends again.
create function release_claims(p_mapping_id bigint, p_claimed_by text) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_mapping_id is null or coalesce(p_claimed_by, '') = '' then
    raise exception 'sfsync.release_claims: pass the mapping id and the claimer name the claims were made under'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox
     set state = 'new', unknown_since = coalesce(unknown_since, claimed_at), claimed_by = null, claimed_pid = null,
         next_attempt_at = now() + interval '1 second'
   where mapping_id = p_mapping_id and state = 'claimed' and claimed_by = p_claimed_by;
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function release_claims(bigint, text) is
  'Hand a failed push''s claims back to new, as changes of unknown outcome (looked up before they are sent again). Returns the count.';

-- A push round's outcomes, one element per outbox row (parallel arrays, so
-- one statement settles a round of any size). p_states: success, merged or
-- failed (done), or new (retry after p_nexts, p_incs more attempts;
-- p_unknown marks an outcome nobody knows, looked up before a re-send).
create function settle_outbox(p_ids bigint[], p_states outbox_state[], p_sfids text[], p_errors jsonb[],
                              p_incs integer[], p_nexts timestamptz[], p_unknown boolean[]) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_ids is null or p_states is null or cardinality(p_ids) <> cardinality(p_states) then
    raise exception 'sfsync.settle_outbox: p_ids and p_states must be given, one state per id'
      using errcode = 'invalid_parameter_value';
  end if;
  update sfsync.outbox o
     set state = u.state, sfid = coalesce(u.sfid, o.sfid), error = u.error, attempts = o.attempts + u.inc,
         next_attempt_at = coalesce(u.next, o.next_attempt_at),
         unknown_since = case when u.unknown then coalesce(o.unknown_since, o.claimed_at) when u.state = 'new' then o.unknown_since end,
         done_at = case when u.state in ('success', 'merged', 'failed') then now() end,
         claimed_by = null, claimed_pid = null
    from unnest(p_ids, p_states, p_sfids, p_errors, p_incs, p_nexts, p_unknown) u(id, state, sfid, error, inc, next, unknown)
   where o.id = u.id;
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function settle_outbox(bigint[], outbox_state[], text[], jsonb[], integer[], timestamptz[], boolean[]) is
  'Record a push round''s outcome of each outbox row (done, failed, or new with back-off). Returns the count.';

-- A row inserted again after its record was deleted in Salesforce carries
-- every value: its earlier failed changes are in it now.
create function merge_failed(p_mapping_id bigint, p_record_ids bigint[]) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_mapping_id is null or p_record_ids is null then
    raise exception 'sfsync.merge_failed: pass the mapping id and the record ids whose failed changes a new insert carries'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox set state = 'merged', done_at = now()
   where mapping_id = p_mapping_id and record_id = any (p_record_ids) and state = 'failed';
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function merge_failed(bigint, bigint[]) is
  'Mark merged the failed changes of records whose re-insert carries them. Returns the count.';

-- The inbound apply decided that Salesforce wins these fields: drop them
-- from unsent (new) changes; an update left with nothing to send is ignored.
create function drop_fields(p_ids bigint[], p_fields text[]) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_ids is null or p_fields is null then
    raise exception 'sfsync.drop_fields: pass the outbox ids and the fields Salesforce won'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox set
    changed = changed - p_fields,
    state = case when op = 'update' and (changed - p_fields) = '{}'::jsonb then 'ignored' else state end,
    done_at = case when op = 'update' and (changed - p_fields) = '{}'::jsonb then now() else done_at end
  where id = any (p_ids) and state = 'new';
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function drop_fields(bigint[], text[]) is
  'Drop fields Salesforce won from unsent changes; an update left empty is ignored. Returns the count.';

-- Salesforce won fields that a claimed change (in flight) carries: once the
-- apply has written Salesforce's values into the table, send them again,
-- right behind the change in flight (claim_outbox claims nothing of a record
-- while it has a claimed change). p_resend: [{"outbox_id": …, "field": …}].
-- Each value is to_jsonb of the column, the capture trigger's own form; a
-- field whose column does not hold a value other than the one in flight is
-- left out. Returns the number of changes queued (one per record).
create function queue_resend(p_mapping_id bigint, p_resend jsonb) returns integer
language plpgsql as $$
declare
  m sfsync.mappings;
  r record;
  v jsonb;
  col text;
  queued integer := 0;
begin
  select * into m from sfsync.mappings where id = p_mapping_id;
  if not found then
    raise exception 'sfsync.queue_resend: no mapping with id %', p_mapping_id using errcode = 'no_data_found';
  end if;
  for r in
    select o.record_id, jsonb_object_agg(x.field, o.changed -> x.field) as lost
      from jsonb_to_recordset(coalesce(p_resend, '[]')) as x(outbox_id bigint, field text)
      join sfsync.outbox o on o.id = x.outbox_id and o.mapping_id = p_mapping_id
     group by o.record_id
  loop
    declare
      changed jsonb := '{}';
      old jsonb := '{}';
      f text;
      sfid text;
    begin
      for f in select jsonb_object_keys(r.lost) loop
        select e ->> 'column' into col from jsonb_array_elements(m.field_info) e
         where e ->> 'name' = f and not coalesce((e ->> 'removed')::boolean, false) and not coalesce((e ->> 'calculated')::boolean, false)
           and (coalesce((e ->> 'createable')::boolean, false) or coalesce((e ->> 'updateable')::boolean, false));
        continue when col is null;
        execute format('select to_jsonb(t.%I), t.sfid from %I.%I t where t.id = $1', col, m.schema_name, m.table_name)
           into v, sfid using r.record_id;
        if v is not null and v is distinct from r.lost -> f then
          changed := changed || jsonb_build_object(f, v);
          old := old || jsonb_build_object(f, r.lost -> f);
        end if;
      end loop;
      if changed <> '{}'::jsonb then
        insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
        values (p_mapping_id, r.record_id, sfid, 'update', changed, old);
        queued := queued + 1;
      end if;
    end;
  end loop;
  if queued > 0 then
    perform pg_notify('sfsync:outbox', p_mapping_id::text);
  end if;
  return queued;
end;
$$;

comment on function queue_resend(bigint, jsonb) is
  'Queue, behind a change in flight, the values Salesforce won of the fields it carries. Returns the number of changes queued.';

-- Children failed with PARENT_FAILED whose parent row has an sfid now go back
-- to new (through retry_failed, which notifies). The write-back names the
-- parents it settled; the engine's sweep calls retry_all_orphans().
create function retry_orphans(p_parent_mapping_id bigint, p_parent_ids bigint[], p_child_mapping_ids bigint[] default null) returns integer
language plpgsql as $$
declare
  p sfsync.mappings;
  ids bigint[];
begin
  if p_parent_mapping_id is null or p_parent_ids is null then
    raise exception 'sfsync.retry_orphans: pass the parent mapping id and parent row ids (retry_all_orphans() takes every parent)'
      using errcode = 'null_value_not_allowed';
  end if;
  select * into p from sfsync.mappings where id = p_parent_mapping_id;
  if not found or to_regclass(format('%I.%I', p.schema_name, p.table_name)) is null then
    return 0;
  end if;
  execute format(
    'select array_agg(o.id) from sfsync.outbox o join %I.%I parent on parent.id = (o.error -> ''parent'' ->> ''recordId'')::bigint
      where o.state = ''failed'' and o.error ->> ''code'' = ''PARENT_FAILED''
        and o.error -> ''parent'' ->> ''mappingId'' = $1::text and parent.sfid is not null
        and parent.id = any ($2) and ($3 is null or o.mapping_id = any ($3))', p.schema_name, p.table_name)
    into ids using p_parent_mapping_id, p_parent_ids, p_child_mapping_ids;
  if ids is null then
    return 0;
  end if;
  -- missing_ok: a concurrent retry may settle some first.
  return sfsync.retry_failed(p_outbox_ids => ids, missing_ok => true);
end;
$$;

comment on function retry_orphans(bigint, bigint[], bigint[]) is
  'Send again the PARENT_FAILED children of the given parent rows that have an sfid now. Returns the count.';

create function retry_all_orphans() returns integer
language plpgsql as $$
declare
  parent bigint;
  n integer := 0;
begin
  for parent in
    select distinct (o.error -> 'parent' ->> 'mappingId')::bigint from sfsync.outbox o
     where o.state = 'failed' and o.error ->> 'code' = 'PARENT_FAILED'
  loop
    n := n + sfsync.retry_orphans(parent, array(
      select (o.error -> 'parent' ->> 'recordId')::bigint from sfsync.outbox o
       where o.state = 'failed' and o.error ->> 'code' = 'PARENT_FAILED' and o.error -> 'parent' ->> 'mappingId' = parent::text));
  end loop;
  return n;
end;
$$;

comment on function retry_all_orphans() is
  'Send again every PARENT_FAILED child whose parent row has an sfid now (the engine''s sweep). Returns the count.';
