-- Drop a mapped table's capture triggers, its capture function and its drain
-- functions (rendered by src/mapping/render-template.ts), after moving its
-- logged updates into the outbox: their images are laid out in the field order
-- of the capture function being replaced, which only its own drain reads. The
-- lock lets every writer that logged one commit first and holds off new ones.
-- {{capture_trigger}} is the single row-level trigger of all three events older
-- versions installed: a re-applied mapping or `doctor --fix` replaces it.
lock table {{table}} in share row exclusive mode;
select sfsync.drain_updates({{mapping_id}});
drop trigger if exists {{capture_trigger}} on {{table}};
drop trigger if exists {{insert_trigger}} on {{table}};
drop trigger if exists {{update_trigger}} on {{table}};
drop trigger if exists {{delete_trigger}} on {{table}};
drop trigger if exists {{truncate_trigger}} on {{table}};
drop trigger if exists {{keep_id_trigger}} on {{table}};
drop function if exists {{capture_function}}();
drop function if exists {{drain_function}}(bigint[]);
drop function if exists {{drain_updates_function}}(bigint[]);
