-- Capture triggers of a read_write mapped table (rendered by
-- src/mapping/render-template.ts), all per statement and calling the table's
-- capture function (capture-function.sql). Postgres gives transition tables
-- only to a trigger of one event, hence one trigger per event. UPDATE needs
-- only the rows' images before the statement, logged under the rows' ids, so
-- an UPDATE may not change an id ({{keep_id_trigger}}: it fires only when
-- `id` is assigned, and calls its function only when the value differs).
create trigger {{insert_trigger}} after insert on {{table}}
  referencing new table as new_rows
  for each statement execute function {{capture_function}}();
create trigger {{update_trigger}} after update on {{table}}
  referencing old table as old_rows
  for each statement execute function {{capture_function}}();
create trigger {{delete_trigger}} after delete on {{table}}
  referencing old table as old_rows
  for each statement execute function {{capture_function}}();
create trigger {{keep_id_trigger}} before update of id on {{table}}
  for each row when (OLD.id is distinct from NEW.id) execute function sfsync.refuse_id_change();
create trigger {{truncate_trigger}} before truncate on {{table}}
  for each statement execute function sfsync.refuse_truncate({{mapping_id}});
