-- Capture triggers of a read_write mapped table (rendered by
-- src/mapping/render-template.ts). sfsync.capture()'s arguments: the mapping
-- id, then (column, Salesforce field) pairs of the writable mapped fields.
-- The WHEN clause skips sfsync's own writes without calling the function.
create trigger {{capture_trigger}} after insert or update or delete on {{table}}
  for each row when (coalesce(current_setting('sfsync.origin', true), '') = '')
  execute function sfsync.capture({{capture_args}});
create trigger {{truncate_trigger}} before truncate on {{table}}
  for each statement execute function sfsync.refuse_truncate({{mapping_id}});
