-- Capture triggers of a read_write mapped table (rendered by
-- src/mapping/render-template.ts), all per statement and calling the table's
-- capture function (capture-function.sql). Postgres gives transition tables
-- only to a trigger of one event, hence one trigger per event. UPDATE needs
-- only the rows' images before the statement.
create trigger {{insert_trigger}} after insert on {{table}}
  referencing new table as new_rows
  for each statement execute function {{capture_function}}();
create trigger {{update_trigger}} after update on {{table}}
  referencing old table as old_rows
  for each statement execute function {{capture_function}}();
create trigger {{delete_trigger}} after delete on {{table}}
  referencing old table as old_rows
  for each statement execute function {{capture_function}}();
create trigger {{truncate_trigger}} before truncate on {{table}}
  for each statement execute function sfsync.refuse_truncate({{mapping_id}});
