-- 16: a cheaper capture — the outbox loses two of its three indexes and its
-- CHECK constraints, the capture trigger its WHEN clause — and pruning of
-- finished changes.
--
-- Why: every captured change runs one INSERT into the outbox from the
-- capture trigger, inside the app's transaction, and Postgres prepares some
-- things afresh for every statement: each CHECK constraint (parsed from its
-- stored text), each index (opened, locked, written), and the trigger's WHEN
-- clause. Timed one by one on a single-row UPDATE (server-side loop of 20,000
-- commits, synchronous_commit off, 2 × Xeon 2.5 GHz): the whole capture
-- cost 92 µs per transaction over 60 µs for the bare UPDATE; the two CHECK
-- constraints were ~20 µs of it, the WHEN clause ~13 µs, each index ~10 µs.
-- So:
-- - op and state become enums (outbox_op, outbox_state): a bad value is
--   refused when it is written, as before, but nothing runs per statement.
--   The views that read them are restated unchanged (failed_changes.op stays
--   text).
-- - One index besides the primary key: outbox_live (mapping_id, state,
--   record_id, id) over the rows still to be dealt with (new, pending,
--   failed). It serves the claim (grouped by record), per-record ordering,
--   the pending and failed counts and the failed list. outbox_open, outbox_record and outbox_failed
--   are gone. Finished rows (success, merged, ignored) have only the primary
--   key; what reads them is rare and set-based: a reload's "pushed while the
--   snapshot was taken" check (one hashed scan), the last sfid of a row
--   deleted before its insert came back (push-claim.ts, only for such rows),
--   and retry_failed below (one join for all retried rows).
-- - The capture trigger loses its WHEN clause; the generated function checks
--   sfsync.origin first instead (sql/templates). Existing capture functions
--   are rewritten below the same way; one that does not have the expected
--   shape keeps its WHEN clause (still correct, only slower) until its
--   mapping is applied again.
-- - Finished changes were never removed: the outbox grew by one row per
--   change for ever. prune_outbox() deletes success, merged and ignored rows
--   finished longer ago than a retention (config push.keepDoneHours, default
--   7 days), in batches; the engine runs it hourly (task sfsync:prune-outbox).
--   Failed rows stay until retried or discarded.
--
-- - The price: rows sfsync writes itself now call the capture function,
--   which returns at once (~1 µs a row: a 1M-row inbound load into a
--   read_write table takes about a second longer). App writes matter more.
--
-- FIGURES: `npm run bench:capture -- 1000 15` (one fsync-on server; median
-- over 15 rounds of mapped/unmapped single-row tx/s), migration 15 → 16:
--                               INSERT         UPDATE
--   durable commits (default)   63 % → 72 %    59 % → 66 %
--   free commits (worst case)   52 % → 65 %    49 % → 63 %
-- Target 75 %: not reached. What is left, timed by taking parts away
-- (free commits, UPDATE): calling an empty PL/pgSQL trigger ~9 points, the
-- column comparisons and jsonb ~10, the outbox INSERT ~18 (of which its one
-- index ~2), pg_notify ~1.
-- The type change rewrites the outbox and locks it while it runs (seconds
-- per million rows): migrate when the outbox is small.

drop view mapping_status;
drop view failed_changes;
drop view outbox_status;

drop index outbox_open;
drop index outbox_record;
drop index outbox_failed;

alter table outbox drop constraint outbox_op_check, drop constraint outbox_state_check;
create type outbox_op as enum ('insert', 'update', 'delete');
create type outbox_state as enum ('new', 'pending', 'success', 'failed', 'merged', 'ignored');
alter table outbox
  alter state drop default,
  alter op type outbox_op using op::outbox_op,
  alter state type outbox_state using state::outbox_state,
  alter state set default 'new';

-- state is a key column so that each state of a mapping is its own range:
-- the claim reads (mapping, 'new'), the per-record pending check
-- (mapping, 'pending', record), the failed list and counts (mapping,
-- 'failed'), without walking a backlog of other states.
create index outbox_live on outbox (mapping_id, state, record_id, id) where state in ('new', 'pending', 'failed');

-- Existing capture functions: the origin check moves from the trigger's WHEN
-- clause into the function (as sql/templates/capture-function.sql renders it).
-- A function without the expected shape keeps its trigger as it is.
create function upgrade_capture_triggers() returns integer
language plpgsql as $$
declare
  m record;
  fn regprocedure;
  def text;
  n integer := 0;
  head constant text := E'\nbegin\n  if TG_OP = ''UPDATE'' then';
  checked constant text := E'\nbegin\n  if current_setting(''sfsync.origin'', true) <> '''' then\n    return null;\n  end if;\n  if TG_OP = ''UPDATE'' then';
begin
  for m in select schema_name, table_name from sfsync.mappings where mode = 'read_write' loop
    fn := to_regprocedure(format('%I.%I()', m.schema_name, 'tg_' || m.table_name || '__capture'));
    continue when fn is null or to_regclass(format('%I.%I', m.schema_name, m.table_name)) is null;
    def := pg_get_functiondef(fn);
    continue when position(head in def) = 0;
    execute replace(def, head, checked);
    execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || '__capture', m.schema_name, m.table_name);
    execute format('create trigger %I after insert or update or delete on %I.%I for each row execute function %s',
                   'tg_' || m.table_name || '__capture', m.schema_name, m.table_name, fn);
    n := n + 1;
  end loop;
  return n;
end;
$$;

comment on function upgrade_capture_triggers() is
  'Migration 16: move the sfsync.origin check of existing capture triggers from their WHEN clause into their function. Returns how many were upgraded.';

select upgrade_capture_triggers();

create function prune_outbox(p_keep interval default '7 days', p_batch integer default 10000) returns bigint
language plpgsql as $$
declare
  n bigint := 0;
  deleted integer;
begin
  loop
    delete from sfsync.outbox
     where id in (select id from sfsync.outbox
                   where state in ('success', 'merged', 'ignored') and done_at < now() - p_keep
                   limit p_batch);
    get diagnostics deleted = row_count;
    n := n + deleted;
    exit when deleted < p_batch;
  end loop;
  return n;
end;
$$;

comment on function prune_outbox(interval, integer) is
  'Delete success, merged and ignored outbox rows finished longer ago than p_keep (in batches of p_batch); failed rows stay. Returns the count.';

-- retry_failed, set-based: the fields a later change of the same record has
-- since sent successfully are found for all retried rows in one join (the
-- finished rows have no per-record index now). Behaviour as migration 12.
create or replace function retry_failed(p_mapping_id bigint default null, p_outbox_ids bigint[] default null) returns integer
language plpgsql as $$
declare
  n integer;
  ids bigint[];
  m bigint;
begin
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

-- The operator views, restated as migrations 7 and 11 made them.
create view mapping_status as
select
  m.id as mapping_id,
  c.name as connection,
  m.sobject,
  m.schema_name,
  m.table_name,
  m.mode,
  m.state,
  m.watermark,
  lp.started_at as last_poll_at,
  lp.outcome as last_poll_outcome,
  case when m.watermark is null then null else greatest(now() - m.watermark, interval '0') end as pull_lag,
  now() - o.oldest_open_at as push_lag,
  coalesce(o.pending, 0)::bigint as pending_changes,
  coalesce(o.failed, 0)::bigint as failed_changes,
  coalesce(w.api_calls_today, 0)::bigint as api_calls_today,
  c.api_usage,
  c.api_limit,
  c.api_usage_at,
  m.last_error
from sfsync.mappings m
join sfsync.connections c on c.id = m.connection_id
left join lateral (
  select pw.started_at, pw.outcome
  from sfsync.poll_windows pw
  where pw.mapping_id = m.id and pw.kind = 'primary'
  order by pw.upper desc
  limit 1
) lp on true
left join lateral (
  select
    count(*) filter (where ob.state in ('new', 'pending')) as pending,
    count(*) filter (where ob.state = 'failed') as failed,
    min(ob.created_at) filter (where ob.state in ('new', 'pending')) as oldest_open_at
  from sfsync.outbox ob
  where ob.mapping_id = m.id and ob.state in ('new', 'pending', 'failed')
) o on true
left join lateral (
  select sum(pw.api_calls) as api_calls_today
  from sfsync.poll_windows pw
  where pw.mapping_id = m.id and pw.started_at >= date_trunc('day', now())
) w on true;

comment on view mapping_status is
  'Per mapping: state, last poll, pull and push lag, pending and failed changes, API usage. What `sfsync status` prints.';

create view failed_changes as
select
  ob.id,
  ob.mapping_id,
  m.sobject,
  m.schema_name,
  m.table_name,
  ob.record_id,
  ob.sfid,
  ob.op::text as op,
  ob.changed,
  ob.error ->> 'code' as error_code,
  ob.error ->> 'message' as error_message,
  ob.error,
  ob.attempts,
  ob.created_at,
  ob.done_at as failed_at
from sfsync.outbox ob
join sfsync.mappings m on m.id = ob.mapping_id
where ob.state = 'failed';

comment on view failed_changes is
  'Changes Salesforce refused permanently (validation rule, required field …), with its error code and message.';

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
