-- 10: capture — the one shared trigger function that turns app writes on a
-- read_write mapped table into sfsync.outbox rows, the TRUNCATE refusal, and
-- the NOTIFY that tells the engine a mapping row changed.
--
-- Why this shape:
-- - Per-table triggers are thin `create trigger` statements rendered from
--   sql/templates/capture-triggers.sql when a mapping is applied. Their
--   arguments carry the mapping id and the (column, Salesforce field) pairs of
--   the writable mapped fields, so a captured row costs no catalog or mappings
--   lookup: the pairs are fixed until the mapping is applied again (which
--   re-creates the triggers).
-- - Row-level, not statement-level with transition tables: bench/capture.ts
--   measured both on the same table in one run (see FIGURES below); row-level
--   was faster for the single-row transactions apps mostly run, and a
--   statement-level trigger pays a tuplestore per statement.
-- - Rows written by sfsync itself (inbound polls with sfsync.origin =
--   'salesforce', write-backs with 'sfsync') are skipped: the trigger's WHEN
--   clause tests the setting so the function is not even called for them.
-- - `changed` holds only the fields whose value really changed (an UPDATE
--   that changes no mapped writable column writes nothing and notifies
--   nobody); `old` their previous values, for conflict detection.
-- - TRUNCATE would silently not reach Salesforce, so it is refused unless
--   sfsync itself runs it (sfsync.origin set).
-- - Mappings from SQL alone: describe needs HTTP, so SQL cannot build a
--   table by itself. A mappings row inserted (or whose fields, mode or
--   external id change) from SQL is a *request*: `sfsync:mappings` is
--   notified ({"action":"changed"}) and the engine plans and applies it
--   exactly as `sfsync map` would (src/mapping/apply-mapping-requests.ts),
--   recording a failure in mappings.last_error. `remove_mapping` needs no
--   describe, so it is a plain SQL function here.
--
-- FIGURES: `npx tsx bench/capture.ts 2000 2`, embedded Postgres 18.4 with
-- fsync off (so commits are cheap and trigger cost shows at its worst),
-- Xeon 2.5 GHz x 2 cores shared with other jobs, 8 mapped fields, mean tx/s:
--                          INSERT          UPDATE
--   unmapped               1898 (100 %)    2865 (100 %)
--   row-level (shipped)    1528  (81 %)    1442  (50 %)
--   statement-level        1122  (59 %)     895  (31 %)
-- Row-level wins both. Most of an UPDATE's extra cost is the outbox insert
-- itself (3 index entries: ~25 % alone, measured with a trigger that only
-- inserts) and to_jsonb of OLD and NEW; pg_notify was within noise.

create function capture() returns trigger
language plpgsql as $$
declare
  mapping_id bigint := TG_ARGV[0]::bigint;
  n jsonb;
  o jsonb;
  changed jsonb := '{}';
  previous jsonb := '{}';
  col text;
  i integer;
begin
  if coalesce(current_setting('sfsync.origin', true), '') <> '' then
    return null;
  end if;
  if TG_OP = 'DELETE' then
    o := to_jsonb(OLD);
    insert into sfsync.outbox (mapping_id, record_id, sfid, op)
    values (mapping_id, (o->>'id')::bigint, o->>'sfid', 'delete');
  elsif TG_OP = 'INSERT' then
    n := to_jsonb(NEW);
    for i in 1 .. TG_NARGS / 2 loop
      col := TG_ARGV[2 * i - 1];
      if n->col <> 'null'::jsonb then
        changed := changed || jsonb_build_object(TG_ARGV[2 * i], n->col);
      end if;
    end loop;
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed)
    values (mapping_id, (n->>'id')::bigint, n->>'sfid', 'insert', changed);
  else
    n := to_jsonb(NEW);
    o := to_jsonb(OLD);
    for i in 1 .. TG_NARGS / 2 loop
      col := TG_ARGV[2 * i - 1];
      if n->col is distinct from o->col then
        changed := changed || jsonb_build_object(TG_ARGV[2 * i], n->col);
        previous := previous || jsonb_build_object(TG_ARGV[2 * i], o->col);
      end if;
    end loop;
    if changed = '{}'::jsonb then
      return null;
    end if;
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
    values (mapping_id, (n->>'id')::bigint, coalesce(n->>'sfid', o->>'sfid'), 'update', changed, previous);
  end if;
  perform pg_notify('sfsync:outbox', mapping_id::text);
  return null;
end;
$$;

comment on function capture() is
  'Capture trigger of read_write mapped tables: args are mapping id, then (column, Salesforce field) pairs.';

create function refuse_truncate() returns trigger
language plpgsql as $$
begin
  if coalesce(current_setting('sfsync.origin', true), '') <> '' then
    return null;
  end if;
  raise exception 'TRUNCATE of %.% is refused: it is mapped read_write by sfsync (mapping %) and a TRUNCATE cannot be sent to Salesforce', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]
    using errcode = 'feature_not_supported',
          hint = 'DELETE the rows instead (each delete is sent), or remove the mapping first with sfsync.remove_mapping(mapping_id).';
end;
$$;

create function notify_mapping_change() returns trigger
language plpgsql as $$
begin
  perform pg_notify('sfsync:mappings', json_build_object('action', 'changed', 'mappingId', NEW.id::text)::text);
  return null;
end;
$$;

create trigger tg_mappings__notify
  after insert or update of fields, mode, external_id_field, schema_name, table_name on mappings
  for each row execute function notify_mapping_change();

-- Remove a mapping from SQL: drop its capture triggers, delete the row (its
-- outbox rows go by cascade), and drop the table only when asked. The trigger
-- names follow src/mapping/mapping-names.ts (tg_<table>__capture/__truncate).
create function remove_mapping(p_mapping_id bigint, p_drop_table boolean default false) returns boolean
language plpgsql as $$
declare
  m sfsync.mappings;
begin
  select * into m from sfsync.mappings where id = p_mapping_id for update;
  if not found then
    return false;
  end if;
  if to_regclass(format('%I.%I', m.schema_name, m.table_name)) is not null then
    execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || '__capture', m.schema_name, m.table_name);
    execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || '__truncate', m.schema_name, m.table_name);
    if p_drop_table then
      execute format('drop table %I.%I', m.schema_name, m.table_name);
    end if;
  end if;
  delete from sfsync.mappings where id = p_mapping_id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'removed', 'mappingId', p_mapping_id::text)::text);
  return true;
end;
$$;

comment on function remove_mapping(bigint, boolean) is
  'Remove a mapping: drop its capture triggers and row; drop the table too when p_drop_table.';
