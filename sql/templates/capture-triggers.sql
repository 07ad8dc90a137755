-- Capture triggers of a read_write mapped table (rendered by
-- src/mapping/render-template.ts). The capture function is the table's own
-- (capture-function.sql); it skips sfsync's own writes itself.
create trigger {{capture_trigger}} after insert or update or delete on {{table}}
  for each row execute function {{capture_function}}();
create trigger {{truncate_trigger}} before truncate on {{table}}
  for each statement execute function sfsync.refuse_truncate({{mapping_id}});
