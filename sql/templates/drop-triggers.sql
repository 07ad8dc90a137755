-- Drop a mapped table's capture triggers and its capture function (rendered
-- by src/mapping/render-template.ts).
drop trigger if exists {{capture_trigger}} on {{table}};
drop trigger if exists {{truncate_trigger}} on {{table}};
drop function if exists {{capture_function}}();
