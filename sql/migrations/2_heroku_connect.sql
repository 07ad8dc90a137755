-- 2: Heroku Connect — adopt a Heroku Connect database in place, and keep its
-- status columns (_hc_lastop, _hc_err) for apps that read them.
--
-- `sfsync adopt heroku-connect` plans one sfsync mapping per Heroku Connect
-- table (describe needs Salesforce, so the CLI does that part), runs those
-- plans, then calls adopt_heroku_connect() below in the SAME transaction: it
-- drops Heroku Connect's triggers, moves the trigger log's unsent entries into
-- the outbox in log order, records its failed ones as failed changes, and
-- starts each mapping's polling at the table's newest systemmodstamp with a
-- reconcile queued. From psql, `sfsync adopt heroku-connect --plan` prints
-- every statement of that transaction. docs/migrating-from-heroku-connect.md
-- says what is carried over and how to roll back.
--
-- This is the one place where sfsync writes Heroku Connect's column names.

-- A mapping with compat 'heroku-connect' keeps _hc_lastop and _hc_err
-- maintained with Heroku Connect's meanings by a BEFORE trigger of its own
-- (sql/templates/compat-trigger.sql); other mappings pay nothing for it.
alter table mappings add column compat text check (compat in ('heroku-connect'));

-- compat is part of a request from SQL, as the other columns are.
drop trigger tg_mappings__notify on mappings;
create trigger tg_mappings__notify
  after insert or update of fields, mode, external_id_field, schema_name, table_name, compat on mappings
  for each row execute function notify_mapping_change();

-- One row per adopted Heroku Connect table: when, where polling started, and
-- the definitions of the Heroku Connect triggers dropped (to restore them
-- when rolling back).
create table heroku_connect_adoptions (
  mapping_id     bigint primary key references mappings (id) on delete cascade,
  schema_name    text not null,
  table_name     text not null,
  adopted_at     timestamptz not null default now(),
  watermark_from timestamptz,
  hc_triggers    text[] not null default '{}'
);

comment on table heroku_connect_adoptions is
  'Heroku Connect tables adopted by sfsync adopt heroku-connect: when, the watermark polling started from, and the dropped Heroku Connect trigger definitions.';

-- One row per trigger log entry taken over: an unsent one moved to the
-- outbox, or a failed one recorded as a failed change. A second run skips
-- them, so nothing is moved twice.
create table heroku_connect_log_entries (
  schema_name  text not null,
  log_id       integer not null,
  mapping_id   bigint not null references mappings (id) on delete cascade,
  outbox_id    bigint,
  state_was    text not null,
  taken_at     timestamptz not null default now(),
  primary key (schema_name, log_id)
);

comment on table heroku_connect_log_entries is
  'Heroku Connect trigger log entries sfsync took over: the outbox row each became (null when nothing was left to send) and its state then.';

-- Remove a mapping: as in the baseline, plus the compat trigger and function.
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
    execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || '__hc_status', m.schema_name, m.table_name);
    if p_drop_table then
      execute format('drop table %I.%I', m.schema_name, m.table_name);
    end if;
  end if;
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__capture');
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__hc_status');
  delete from sfsync.mappings where id = p_mapping_id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'removed', 'mappingId', p_mapping_id::text)::text);
  return true;
end;
$$;

comment on function remove_mapping(bigint, boolean) is
  'Remove a mapping: drop its capture (and Heroku Connect compat) triggers and row; drop the table too when p_drop_table. Raises when no such mapping.';

-- The tables of a schema that look like Heroku Connect's: an id, an sfid and
-- the _hc_lastop status column (the trigger log tables are not among them).
create function heroku_connect_tables(p_schema text) returns setof text
language sql stable as $$
  select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = p_schema and c.relkind in ('r', 'p')
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'sfid' and not a.attisdropped)
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'id' and not a.attisdropped)
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = '_hc_lastop' and not a.attisdropped)
   order by c.relname;
$$;

comment on function heroku_connect_tables(text) is
  'Tables of a schema shaped like Heroku Connect''s (id, sfid, _hc_lastop), by name.';

-- Why Heroku Connect may still be writing to p_schema, or null when it is
-- quiet: a log entry processed within p_quiet, or an _hcmeta row whose
-- details say it is active.
create function heroku_connect_activity(p_schema text, p_quiet interval default '10 minutes') returns text
language plpgsql stable as $$
declare
  last_processed timestamptz;
  active boolean;
begin
  if to_regclass(format('%I._trigger_log', p_schema)) is not null then
    execute format('select max(processed_at) from %I._trigger_log', p_schema) into last_processed;
    if last_processed > now() - p_quiet then
      return format('Heroku Connect processed a trigger log entry of schema %s at %s', p_schema, last_processed);
    end if;
  end if;
  if to_regclass(format('%I._hcmeta', p_schema)) is not null then
    execute format($q$select bool_or(details ~* '"(state|status)"\s*:\s*"active"') from %I._hcmeta$q$, p_schema) into active;
    if active then
      return format('%s._hcmeta says the Heroku Connect connection is active', p_schema);
    end if;
  end if;
  return null;
end;
$$;

comment on function heroku_connect_activity(text, interval) is
  'Why Heroku Connect may still write to the schema (a log entry processed within p_quiet, or _hcmeta saying active), or null.';

-- A trigger log entry's hstore text as the mapping's changed/old jsonb: keys
-- are field API names, values to_jsonb of the column (the capture trigger's
-- own form), only writable mapped fields. hstore is Heroku Connect's
-- extension: found where it is installed, never required by sfsync itself.
create function heroku_connect_values(p_mapping sfsync.mappings, p_hstore text, p_strip_nulls boolean) returns jsonb
language plpgsql stable as $$
declare
  hstore_schema text;
  row_json jsonb;
  keys text[];
  out jsonb;
begin
  if p_hstore is null then
    return '{}';
  end if;
  select n.nspname into hstore_schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'hstore';
  if hstore_schema is null then
    raise exception 'sfsync.adopt_heroku_connect: the hstore extension is not installed, so the trigger log cannot be read; create extension hstore and run it again'
      using errcode = 'undefined_object';
  end if;
  execute format('select to_jsonb(%1$I.populate_record(null::%2$I.%3$I, $1::%1$I.hstore)), %1$I.akeys($1::%1$I.hstore)',
                 hstore_schema, p_mapping.schema_name, p_mapping.table_name)
     into row_json, keys using p_hstore;
  select coalesce(jsonb_object_agg(f ->> 'name', row_json -> (f ->> 'column')), '{}') into out
    from jsonb_array_elements(p_mapping.field_info) f
   where f ->> 'column' = any (keys)
     and not coalesce((f ->> 'removed')::boolean, false) and not coalesce((f ->> 'calculated')::boolean, false)
     and (coalesce((f ->> 'createable')::boolean, false) or coalesce((f ->> 'updateable')::boolean, false));
  return case when p_strip_nulls then jsonb_strip_nulls(out) else out end;
end;
$$;

comment on function heroku_connect_values(mappings, text, boolean) is
  'A Heroku Connect trigger log entry''s hstore text as {field API name: value} of the mapping''s writable fields, typed by the table''s columns.';

-- Adopt the Heroku Connect tables of p_schema whose sfsync mappings exist
-- already (the CLI plans and applies them first, in the same transaction).
-- Refuses while Heroku Connect still writes, unless p_force. Idempotent: a
-- table adopted before, a log entry taken over before, is left alone.
create function adopt_heroku_connect(p_schema text, p_force boolean default false, p_quiet interval default '10 minutes')
returns table (mapping_id bigint, table_name text, moved integer, failed integer, dropped_triggers integer, watermark timestamptz)
language plpgsql as $$
#variable_conflict use_column
declare
  reason text;
  tables text[];
  t text;
  m sfsync.mappings;
  e record;
  ob bigint;
  changed jsonb;
  old jsonb;
  row_sfid text;
  defs text[];
  names text[];
  newest timestamp;
  code text;
begin
  if p_schema is null then
    raise exception 'sfsync.adopt_heroku_connect: p_schema is null; pass the schema Heroku Connect syncs into, e.g. ''salesforce'''
      using errcode = 'null_value_not_allowed';
  end if;
  if p_quiet is null or p_quiet < interval '0' then
    raise exception 'sfsync.adopt_heroku_connect: p_quiet % is not a duration; pass how long Heroku Connect must have been idle, e.g. ''10 minutes'' (the default)', coalesce(p_quiet::text, 'null')
      using errcode = case when p_quiet is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  if to_regclass(format('%I._trigger_log', p_schema)) is null then
    raise exception 'sfsync.adopt_heroku_connect: schema % has no Heroku Connect trigger log (_trigger_log); pass the schema Heroku Connect syncs into (--schema)', p_schema
      using errcode = 'no_data_found';
  end if;
  if not coalesce(p_force, false) then
    reason := sfsync.heroku_connect_activity(p_schema, p_quiet);
    if reason is not null then
      raise exception 'Heroku Connect still writes to this database (%); pause or remove its connection first, or pass --force (p_force => true)', reason
        using errcode = 'object_in_use';
    end if;
  end if;
  tables := array(select sfsync.heroku_connect_tables(p_schema));
  foreach t in array tables loop
    if not exists (select 1 from sfsync.mappings mm where mm.schema_name = p_schema and mm.table_name = t and mm.field_info <> '[]') then
      raise exception 'sfsync.adopt_heroku_connect: %.% has no applied sfsync mapping; run `sfsync adopt heroku-connect` (it maps every Heroku Connect table) or map it with `sfsync map` first', p_schema, t
        using errcode = 'no_data_found';
    end if;
    -- Writers wait from here to the commit (the capture triggers' creation took this lock already).
    execute format('lock table %I.%I in share row exclusive mode', p_schema, t);
  end loop;
  execute format('lock table %I._trigger_log in exclusive mode', p_schema);
  -- sfsync's own statements below (the rows' states) are not captured.
  perform set_config('sfsync.origin', 'adopt', true);
  foreach t in array tables loop
    select * into m from sfsync.mappings mm where mm.schema_name = p_schema and mm.table_name = t;
    select array_agg(pg_get_triggerdef(tg.oid) order by tg.tgname), array_agg(tg.tgname::text order by tg.tgname) into defs, names
      from pg_trigger tg
     where tg.tgrelid = format('%I.%I', p_schema, t)::regclass and not tg.tgisinternal
       and tg.tgname in (format('hc_%s_logtrigger', t), format('hc_%s_status_trigger', t));
    foreach code in array coalesce(names, '{}') loop
      execute format('drop trigger %I on %I.%I', code, p_schema, t);
    end loop;
    if not exists (select 1 from sfsync.heroku_connect_adoptions a where a.mapping_id = m.id) then
      -- Rows never sent wait for a push; rows Heroku Connect failed are failed.
      execute format($q$update %I.%I set _sfsync_state = 'pending' where sfid is null$q$, p_schema, t);
      execute format($q$update %I.%I set _sfsync_state = 'failed',
                         _sfsync_error = jsonb_build_object('code', 'HEROKU_CONNECT_FAILED', 'message', coalesce(_hc_err, 'failed in Heroku Connect'))
                       where _hc_lastop = 'FAILED'$q$, p_schema, t);
      execute format('select max(systemmodstamp) from %I.%I', p_schema, t) into newest;
      insert into sfsync.heroku_connect_adoptions (mapping_id, schema_name, table_name, watermark_from, hc_triggers)
      values (m.id, p_schema, t, newest at time zone 'UTC', coalesce(defs, '{}'));
      if newest is not null then
        -- Polling starts where Heroku Connect's data ends; the reconcile checks every record.
        update sfsync.mappings mm set watermark = newest at time zone 'UTC', state = 'active', updated_at = now()
         where mm.id = m.id and mm.state = 'new';
        perform sfsync.request_reconcile(m.id::text);
      end if;
    elsif defs is not null then
      update sfsync.heroku_connect_adoptions a set hc_triggers = a.hc_triggers || defs where a.mapping_id = m.id;
    end if;
    mapping_id := m.id;
    table_name := t;
    moved := 0;
    failed := 0;
    dropped_triggers := coalesce(cardinality(defs), 0);
    select mm.watermark into watermark from sfsync.mappings mm where mm.id = m.id;
    -- Unsent entries, in log order, with their values; PENDING ones may have
    -- reached Salesforce already, so their outcome is unknown (looked up first).
    for e in execute format($q$select l.id, l.state, l.action, l.record_id, l.sfid, l.old as old_text, l."values" as new_text, l.updated_at, l.processed_at, l.sf_message from %I._trigger_log l
                               where l.table_name = $1 and l.state in ('NEW', 'PENDING', 'REQUEUE')
                                 and not exists (select 1 from sfsync.heroku_connect_log_entries x where x.schema_name = $2 and x.log_id = l.id)
                               order by l.id$q$, p_schema) using t, p_schema
    loop
      ob := null;
      changed := sfsync.heroku_connect_values(m, e.new_text, e.action = 'INSERT');
      old := sfsync.heroku_connect_values(m, e.old_text, false);
      execute format('select sfid from %I.%I where id = $1', p_schema, t) into row_sfid using e.record_id;
      if e.action = 'DELETE' or changed <> '{}'::jsonb then
        insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old, unknown_since)
        values (m.id, e.record_id, coalesce(e.sfid, row_sfid), lower(e.action)::sfsync.outbox_op,
                case when e.action = 'DELETE' then '{}' else changed end,
                case when e.action = 'UPDATE' then old - array(select jsonb_object_keys(old) except select jsonb_object_keys(changed)) end,
                case when e.state = 'PENDING' then coalesce(e.updated_at, now()) end)
        returning id into ob;
        moved := moved + 1;
      end if;
      insert into sfsync.heroku_connect_log_entries (schema_name, log_id, mapping_id, outbox_id, state_was) values (p_schema, e.id, m.id, ob, e.state);
      -- Heroku Connect, were it resumed, must not send it a second time.
      -- processed_at stays as it was: it tells when Heroku Connect itself last worked (heroku_connect_activity).
      execute format($q$update %I._trigger_log set state = 'IGNORED', updated_at = now(), sf_message = $2 where id = $1$q$, p_schema)
        using e.id, coalesce('moved to sfsync.outbox ' || ob, 'taken over by sfsync: nothing left to send');
    end loop;
    -- Failed entries no later success of the same record made good: failed changes, with Heroku Connect's message.
    for e in execute format($q$select l.id, l.state, l.action, l.record_id, l.sfid, l.old as old_text, l."values" as new_text, l.updated_at, l.processed_at, l.sf_message from %I._trigger_log l
                               where l.table_name = $1 and l.state = 'FAILED'
                                 and not exists (select 1 from %I._trigger_log s where s.table_name = l.table_name and s.record_id = l.record_id
                                                    and s.id > l.id and s.state in ('SUCCESS', 'MERGED'))
                                 and not exists (select 1 from sfsync.heroku_connect_log_entries x where x.schema_name = $2 and x.log_id = l.id)
                               order by l.id$q$, p_schema, p_schema) using t, p_schema
    loop
      changed := sfsync.heroku_connect_values(m, e.new_text, e.action = 'INSERT');
      execute format('select sfid from %I.%I where id = $1', p_schema, t) into row_sfid using e.record_id;
      code := coalesce(substring(e.sf_message from '^([A-Z][A-Z_]+):'), 'HEROKU_CONNECT_FAILED');
      insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, state, attempts, error, done_at)
      values (m.id, e.record_id, coalesce(e.sfid, row_sfid), lower(e.action)::sfsync.outbox_op, case when e.action = 'DELETE' then '{}' else changed end,
              'failed', 1,
              jsonb_build_object('code', code, 'message', coalesce(e.sf_message, 'failed in Heroku Connect'), 'source', 'heroku-connect', 'triggerLogId', e.id),
              coalesce(e.processed_at, now()))
      returning id into ob;
      insert into sfsync.heroku_connect_log_entries (schema_name, log_id, mapping_id, outbox_id, state_was) values (p_schema, e.id, m.id, ob, e.state);
      failed := failed + 1;
    end loop;
    if moved > 0 then
      perform pg_notify('sfsync:outbox', m.id::text);
    end if;
    return next;
  end loop;
  perform set_config('sfsync.origin', '', true);
end;
$$;

comment on function adopt_heroku_connect(text, boolean, interval) is
  'Adopt the Heroku Connect tables of a schema whose sfsync mappings exist: drop its triggers, move unsent log entries to the outbox in order, record failed ones, start polling at the newest systemmodstamp. Idempotent.';
