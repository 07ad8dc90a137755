-- Drop a mapped table's capture triggers, its capture function and its drain function (rendered
-- by src/mapping/render-template.ts). {{capture_trigger}} is the single
-- row-level trigger of all three events older versions installed: a
-- re-applied mapping or `doctor --fix` replaces it.
drop trigger if exists {{capture_trigger}} on {{table}};
drop trigger if exists {{insert_trigger}} on {{table}};
drop trigger if exists {{update_trigger}} on {{table}};
drop trigger if exists {{delete_trigger}} on {{table}};
drop trigger if exists {{truncate_trigger}} on {{table}};
drop function if exists {{capture_function}}();
drop function if exists {{drain_function}}(bigint[]);
