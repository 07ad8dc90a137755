-- 20: the sfsync functions refuse arguments they cannot mean, with one line
-- naming the fix, instead of guessing (issue 19, item 6).
--
-- Why: a hostile-input review found arguments that did harm quietly.
-- `discard_failed(null, (select array_agg(id) … where false))` discarded
-- every failed change, because a null id array meant "all" (retry_failed
-- too); `pause(null)` paused every mapping the same way; `prune_outbox('1
-- day', 0)` looped for ever and a negative interval pruned everything;
-- `recover_outbox` with a lease of 0 or less took back changes still being
-- sent (so they would be sent twice); `retry_failed(999)` and
-- `remove_mapping(999)` did nothing and said nothing.
--
-- The rule now: nothing means "all" unless it says so, and what names
-- nothing that exists is an error.
-- - retry_failed / discard_failed(p_mapping_id bigint default null,
--   p_outbox_ids bigint[] default null, all_failed boolean default false,
--   missing_ok boolean default false). A selector is required: ids, a
--   mapping (`retry_failed(3)` or `retry_failed(p_mapping_id => 3)`), both
--   (the ids must then be that mapping's), or `all_failed => true` alone.
--   The flag is not called `all`: ALL is reserved in Postgres, so
--   `retry_failed(all => true)` would be a syntax error. Empty or null-holding
--   id arrays, unknown mappings and ids that are not failed changes (of that
--   mapping) are refused, and then nothing changes. `missing_ok => true`
--   skips ids no longer failed (and accepts an empty array: it names no
--   change, never all): the engine's heal paths pick ids in one statement and
--   retry them in the next, and a concurrent retry may settle some between.
--   The old two-argument functions are dropped, else `retry_failed(3)` would
--   be ambiguous. Positional calls keep their meaning, except the ones that
--   meant "all": `retry_failed()` is now `retry_failed(all_failed => true)`.
-- - pause / resume(p_mapping text default null, all_mappings boolean default
--   false): a mapping, or `all_mappings => true`; pause(null) is refused.
-- - prune_outbox: p_keep must be set and not negative ('0' prunes every
--   finished change, on purpose); p_batch must be positive; a p_keep reaching
--   before the calendar prunes nothing instead of a raw overflow.
-- - recover_outbox: a known mapping and a positive lease.
-- - claim_outbox: a known mapping, a named claimer (a failing push hands its
--   claims back by that name), a positive limit (a negative one was a raw
--   LIMIT error, null claimed every record).
-- - remove_mapping: a known mapping id (false was indistinguishable from a
--   typo). resolve_mapping (and so request_reload, request_reconcile): null
--   says so instead of 'No mapping named "<NULL>"'.
-- Unknown mappings and ids raise no_data_found (P0002), as resolve_mapping
-- always has; null arguments null_value_not_allowed (22004); other bad
-- values invalid_parameter_value (22023).
--
-- Upgrade engines together with this migration: an older engine's heal
-- passes retry_failed an id array that may be empty, which is now refused.

drop function retry_failed(bigint, bigint[]);
drop function discard_failed(bigint, bigint[]);
drop function pause(text);
drop function resume(text);

-- Raises unless the arguments of retry_failed/discard_failed (p_fn) select
-- failed changes explicitly. Strict ids are locked before they are checked,
-- so a concurrent retry or discard cannot settle one between check and update.
create function check_failed_selection(p_fn text, p_mapping_id bigint, p_outbox_ids bigint[], p_all boolean, p_missing_ok boolean) returns void
language plpgsql as $$
declare
  v_missing bigint[];
begin
  if coalesce(p_all, false) then
    if p_mapping_id is not null or p_outbox_ids is not null then
      raise exception 'sfsync.%: all_failed => true already selects every failed change; pass it alone, or drop it to select by p_mapping_id or p_outbox_ids', p_fn
        using errcode = 'invalid_parameter_value';
    end if;
    return;
  end if;
  if p_mapping_id is null and p_outbox_ids is null then
    raise exception 'sfsync.%: no failed change selected (null never means all); pass p_outbox_ids => array[…], p_mapping_id => …, or all_failed => true for every failed change', p_fn
      using errcode = 'null_value_not_allowed';
  end if;
  if p_mapping_id is not null and not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.%: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_fn, p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if p_outbox_ids is null then
    return;
  end if;
  if exists (select 1 from unnest(p_outbox_ids) i where i is null) then
    raise exception 'sfsync.%: p_outbox_ids holds a null; pass only ids of failed changes (select id from sfsync.failed_changes)', p_fn
      using errcode = 'null_value_not_allowed';
  end if;
  if coalesce(p_missing_ok, false) then
    return;
  end if;
  if cardinality(p_outbox_ids) = 0 then
    raise exception 'sfsync.%: p_outbox_ids is empty, which selects nothing (never all); pass ids from sfsync.failed_changes, or all_failed => true for every failed change', p_fn
      using errcode = 'invalid_parameter_value';
  end if;
  perform 1 from sfsync.outbox o where o.id = any (p_outbox_ids) order by o.id for update;
  select array_agg(x.i order by x.i) into v_missing
    from (select distinct i from unnest(p_outbox_ids) i) x
   where not exists (select 1 from sfsync.outbox o
                      where o.id = x.i and o.state = 'failed' and (p_mapping_id is null or o.mapping_id = p_mapping_id));
  if v_missing is not null then
    raise exception 'sfsync.%: outbox ids % are not failed changes%; pass ids listed by sfsync.failed_changes (`sfsync errors`), or missing_ok => true to skip them', p_fn, v_missing,
      case when p_mapping_id is null then '' else ' of mapping ' || p_mapping_id end
      using errcode = 'no_data_found';
  end if;
end;
$$;

comment on function check_failed_selection(text, bigint, bigint[], boolean, boolean) is
  'Migration 20: raise unless retry_failed/discard_failed were given ids, a mapping or all_failed => true, all of which exist.';

-- As migration 16's, behind the check.
create function retry_failed(p_mapping_id bigint default null, p_outbox_ids bigint[] default null,
                             all_failed boolean default false, missing_ok boolean default false) returns integer
language plpgsql as $$
declare
  n integer;
  ids bigint[];
  m bigint;
begin
  perform sfsync.check_failed_selection('retry_failed', p_mapping_id, p_outbox_ids, all_failed, missing_ok);
  with f as (
    select o.id, o.mapping_id, o.record_id
      from sfsync.outbox o
     where o.state = 'failed'
       and (p_mapping_id is null or o.mapping_id = p_mapping_id)
       and (p_outbox_ids is null or o.id = any (p_outbox_ids))
       for update
  ), sent as (
    select f.id, array_agg(distinct k) as keys
      from f
      join sfsync.outbox l on l.mapping_id = f.mapping_id and l.record_id = f.record_id and l.id > f.id and l.state = 'success'
      cross join lateral jsonb_object_keys(l.changed) k
     where l.id > (select min(id) from f)
     group by f.id
  ), retried as (
    update sfsync.outbox o
       set state = 'new', attempts = 0, next_attempt_at = now(), error = null, done_at = null,
           changed = o.changed - coalesce(sent.keys, '{}')
      from f left join sent on sent.id = f.id
     where o.id = f.id
    returning o.mapping_id
  )
  select count(*), array_agg(distinct mapping_id) into n, ids from retried;
  foreach m in array coalesce(ids, '{}') loop
    perform pg_notify('sfsync:outbox', m::text);
  end loop;
  return n;
end;
$$;

comment on function retry_failed(bigint, bigint[], boolean, boolean) is
  'Send failed changes again: the given outbox ids, one mapping''s, or all_failed => true; fields a later change already sent are dropped. Returns the count.';

create function discard_failed(p_mapping_id bigint default null, p_outbox_ids bigint[] default null,
                               all_failed boolean default false, missing_ok boolean default false) returns integer
language plpgsql as $$
declare
  n integer;
begin
  perform sfsync.check_failed_selection('discard_failed', p_mapping_id, p_outbox_ids, all_failed, missing_ok);
  update sfsync.outbox f set state = 'ignored', done_at = now()
   where f.state = 'failed'
     and (p_mapping_id is null or f.mapping_id = p_mapping_id)
     and (p_outbox_ids is null or f.id = any (p_outbox_ids));
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function discard_failed(bigint, bigint[], boolean, boolean) is
  'Give up on failed changes (the given outbox ids, one mapping''s, or all_failed => true): state ignored. Returns the count.';

create or replace function resolve_mapping(p_mapping text) returns bigint
language plpgsql stable as $$
declare
  v_ids bigint[];
begin
  if p_mapping is null then
    raise exception 'Mapping name is null; name one by id, Salesforce object or schema.table (list them with `sfsync mappings`)'
      using errcode = 'null_value_not_allowed';
  end if;
  select array_agg(m.id order by m.id) into v_ids
  from sfsync.mappings m
  where m.id::text = p_mapping
     or lower(m.sobject) = lower(p_mapping)
     or lower(m.schema_name || '.' || m.table_name) = lower(p_mapping);
  if v_ids is null then
    raise exception 'No mapping named "%"; list them with `sfsync mappings` or `select * from sfsync.mapping_status`.', p_mapping
      using errcode = 'no_data_found';
  end if;
  if cardinality(v_ids) > 1 then
    raise exception 'Mapping name "%" is ambiguous (ids %); use the mapping id instead.', p_mapping, v_ids
      using errcode = 'cardinality_violation';
  end if;
  return v_ids[1];
end $$;

-- As migration 7's, but every mapping only when all_mappings says so.
create function pause(p_mapping text default null, all_mappings boolean default false) returns setof bigint
language plpgsql as $$
declare
  v_id bigint;
begin
  if coalesce(all_mappings, false) then
    if p_mapping is not null then
      raise exception 'sfsync.pause: pass a mapping or all_mappings => true, not both'
        using errcode = 'invalid_parameter_value';
    end if;
  elsif p_mapping is null then
    raise exception 'sfsync.pause: the mapping is null (null never means all); pass one by id, object or schema.table, or all_mappings => true to pause every mapping'
      using errcode = 'null_value_not_allowed';
  else
    v_id := sfsync.resolve_mapping(p_mapping);
  end if;
  return query
    update sfsync.mappings m set state = 'paused', updated_at = now()
    where (v_id is null or m.id = v_id) and m.state <> 'paused'
    returning m.id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'pause', 'mappingId', v_id)::text);
end $$;

comment on function pause(text, boolean) is 'Pause a mapping (id, object or schema.table), or every one with all_mappings => true: no polls, no pushes; changes are still captured.';

create function resume(p_mapping text default null, all_mappings boolean default false) returns setof bigint
language plpgsql as $$
declare
  v_id bigint;
begin
  if coalesce(all_mappings, false) then
    if p_mapping is not null then
      raise exception 'sfsync.resume: pass a mapping or all_mappings => true, not both'
        using errcode = 'invalid_parameter_value';
    end if;
  elsif p_mapping is null then
    raise exception 'sfsync.resume: the mapping is null (null never means all); pass one by id, object or schema.table, or all_mappings => true to resume every mapping'
      using errcode = 'null_value_not_allowed';
  else
    v_id := sfsync.resolve_mapping(p_mapping);
  end if;
  return query
    update sfsync.mappings m
    set state = case when m.watermark is null then 'new' else 'active' end, updated_at = now()
    where (v_id is null or m.id = v_id) and m.state = 'paused'
    returning m.id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'resume', 'mappingId', v_id)::text);
end $$;

comment on function resume(text, boolean) is 'Resume a paused mapping, or every one with all_mappings => true; a mapping that never loaded goes back to new.';

create or replace function prune_outbox(p_keep interval default '7 days', p_batch integer default 10000) returns bigint
language plpgsql as $$
declare
  n bigint := 0;
  deleted integer;
  cutoff timestamptz;
begin
  if p_keep is null then
    raise exception 'sfsync.prune_outbox: p_keep is null; pass how long to keep finished changes, e.g. ''7 days'' (''0'' prunes every finished change)'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_keep < interval '0' then
    raise exception 'sfsync.prune_outbox: p_keep % is negative and would delete every finished change; pass how long to keep them, e.g. ''7 days''', p_keep
      using errcode = 'invalid_parameter_value';
  end if;
  if p_batch is null or p_batch <= 0 then
    raise exception 'sfsync.prune_outbox: p_batch % is not a positive number (0 or null never finishes); pass rows per batch, e.g. 10000', coalesce(p_batch::text, 'null')
      using errcode = case when p_batch is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  begin
    cutoff := now() - p_keep;
  exception when datetime_field_overflow then
    -- Kept since before the calendar starts: nothing is that old.
    cutoff := '-infinity';
  end;
  loop
    delete from sfsync.outbox
     where id in (select id from sfsync.outbox
                   where state in ('success', 'merged', 'ignored') and done_at < cutoff
                   limit p_batch);
    get diagnostics deleted = row_count;
    n := n + deleted;
    exit when deleted < p_batch;
  end loop;
  return n;
end;
$$;

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
     where o.mapping_id = p_mapping_id and o.state = 'pending'
       and (o.claimed_at < now() - p_lease
            or not exists (select 1 from pg_stat_activity a
                            where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))
    returning 1
  )
  select count(*)::integer into n from dead;
  return n;
end;
$$;

-- As migration 13's, behind the checks.
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

-- As migration 14's, but an unknown id is an error, not false.
create or replace function remove_mapping(p_mapping_id bigint, p_drop_table boolean default false) returns boolean
language plpgsql as $$
declare
  m sfsync.mappings;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.remove_mapping: p_mapping_id is null; pass a mapping id from sfsync.mapping_status (or `sfsync mappings`)'
      using errcode = 'null_value_not_allowed';
  end if;
  select * into m from sfsync.mappings where id = p_mapping_id for update;
  if not found then
    raise exception 'sfsync.remove_mapping: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if to_regclass(format('%I.%I', m.schema_name, m.table_name)) is not null then
    execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || '__capture', m.schema_name, m.table_name);
    execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || '__truncate', m.schema_name, m.table_name);
    if p_drop_table then
      execute format('drop table %I.%I', m.schema_name, m.table_name);
    end if;
  end if;
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__capture');
  delete from sfsync.mappings where id = p_mapping_id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'removed', 'mappingId', p_mapping_id::text)::text);
  return true;
end;
$$;

comment on function remove_mapping(bigint, boolean) is
  'Remove a mapping: drop its capture triggers and row; drop the table too when p_drop_table. Raises when no such mapping.';
