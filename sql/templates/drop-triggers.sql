-- Drop a mapped table's capture triggers (rendered by src/mapping/render-template.ts).
drop trigger if exists {{capture_trigger}} on {{table}};
drop trigger if exists {{truncate_trigger}} on {{table}};
