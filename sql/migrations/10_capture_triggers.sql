-- 10: statement-level capture of INSERT and DELETE — remove_mapping drops the new triggers.
--
-- A read_write table's capture is now three triggers calling the table's
-- tg_<table>__capture() (sql/templates/capture-function.sql, rendered by the
-- CLI and the engine): tg_<table>__capture_insert and _delete per statement
-- (transition tables, which Postgres gives only to a trigger of one event),
-- tg_<table>__capture_update per row. remove_mapping drops them, and still the
-- single row-level tg_<table>__capture older versions installed, since a table
-- keeps it until `sfsync doctor --fix` or a re-applied mapping replaces it.
-- Otherwise as in migration 2.
create or replace function remove_mapping(p_mapping_id bigint, p_drop_table boolean default false) returns boolean
language plpgsql as $$
declare
  m sfsync.mappings;
  suffix text;
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
    foreach suffix in array array['__capture', '__capture_insert', '__capture_update', '__capture_delete', '__truncate', '__hc_status'] loop
      execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || suffix, m.schema_name, m.table_name);
    end loop;
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
