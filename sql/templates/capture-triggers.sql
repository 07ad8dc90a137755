-- Capture triggers of a read_write mapped table (rendered by
-- src/mapping/render-template.ts). The capture function is the table's own
-- (capture-function.sql). The WHEN clause skips sfsync's own writes without
-- calling the function.
create trigger {{capture_trigger}} after insert or update or delete on {{table}}
  for each row when (coalesce(current_setting('sfsync.origin', true), '') = '')
  execute function {{capture_function}}();
create trigger {{truncate_trigger}} before truncate on {{table}}
  for each statement execute function sfsync.refuse_truncate({{mapping_id}});
