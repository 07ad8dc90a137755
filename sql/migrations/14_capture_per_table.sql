-- 14: capture per table — each read_write mapped table gets its own generated
-- trigger function (sql/templates/capture-function.sql, rendered by
-- src/mapping/plan-statements.ts and printed by `sfsync map --plan`), and
-- sfsync.outbox loses its foreign key to sfsync.mappings.
--
-- Why:
-- - The shared sfsync.capture() (migration 10) built to_jsonb() of the whole
--   OLD and NEW rows and looped over TG_ARGV pairs for every captured row.
--   A generated function compares the mapped columns directly
--   (`NEW.c is distinct from OLD.c`, no jsonb of the row, no argument loop)
--   and builds jsonb only for the columns that changed. It is deterministic
--   (columns in field order, literals quoted by escapeLiteral) and is
--   re-created, like the trigger, whenever the mapping is applied.
--   sfsync.capture() stays for triggers made before this migration until their
--   mapping is applied again.
-- - The foreign key cost more than the trigger itself: each outbox insert ran
--   the RI check `select … from mappings for key share`, locking (and so
--   writing) the one mappings row on every captured transaction. Its only
--   job, deleting a removed mapping's outbox rows, is done by the
--   tg_mappings__delete_outbox trigger below; mapping ids come from the
--   generated function, which exists only while the mapping does.
--
-- FIGURES: `npx tsx bench/capture.ts 2000 3`, embedded Postgres 18.4, fsync
-- off (commits cheap, so trigger cost shows at its worst), Xeon 2.5 GHz × 2
-- cores, 8 mapped fields, mean single-row tx/s (share of unmapped):
--                                   INSERT        UPDATE
--   migration 10 (shared function)   48-53 %       40-42 %
--   per-table function, with FK      55-60 %       44-47 %
--   per-table function, no FK        73-76 %       56-60 %   (shipped)
-- Floors measured in the same runs: a row trigger that does nothing costs
-- UPDATE 18 % (82 %); one outbox row with no index at all 36 % (64 %). So
-- ≥ 75 % for UPDATE needs fewer outbox indexes or no row trigger; left open.

alter table outbox drop constraint outbox_mapping_id_fkey;

create function delete_mapping_outbox() returns trigger
language plpgsql as $$
begin
  delete from sfsync.outbox where mapping_id = OLD.id;
  return null;
end;
$$;

create trigger tg_mappings__delete_outbox
  after delete on mappings
  for each row execute function delete_mapping_outbox();

-- remove_mapping also drops the generated capture function (same name as the
-- trigger, in the table's schema; see src/mapping/mapping-names.ts).
create or replace function remove_mapping(p_mapping_id bigint, p_drop_table boolean default false) returns boolean
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
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__capture');
  delete from sfsync.mappings where id = p_mapping_id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'removed', 'mappingId', p_mapping_id::text)::text);
  return true;
end;
$$;
