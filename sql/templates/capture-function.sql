-- The capture function of one read_write mapped table (rendered by
-- src/mapping/plan-statements.ts; docs/schema.md says why it is per table and
-- per statement). All three events are statement-level triggers, the
-- statement's rows in the transition tables new_rows / old_rows: one
-- INSERT … SELECT and one NOTIFY per statement, however many rows it wrote,
-- into index-less logs the push drains outside the application's transaction.
-- - INSERT logs the ids (sfsync.outbox_inserts; sfsync.drain_inserts reads the
--   row's values when it moves them into the outbox).
-- - UPDATE logs each row's image before the statement: the mapped writable
--   columns as text, in field order (sfsync.outbox_updates). The drain compares
--   it with the row's next image — the next logged one, or the row as it is —
--   and sends the fields that differ (drain-updates-function.sql).
-- - DELETE writes the ids and sfids into the outbox.
-- sfsync's own writes (sfsync.origin set) are not captured. But an UPDATE of
-- sfsync's ends the changes logged before it: for every row that has logged
-- updates, the row's image before sfsync's write is logged too, marked
-- sfsync_write, so a drain never takes sfsync's values for the application's.
create or replace function {{capture_function}}() returns trigger
language plpgsql as $capture$
declare
  captured bigint;
begin
  if current_setting('sfsync.origin', true) <> '' then
    if TG_OP = 'UPDATE' then
      insert into sfsync.outbox_updates (mapping_id, record_id, old, sfsync_write)
      select {{mapping_id}}, o.id, {{old_image}}, true
        from old_rows o
       where o.id in (select l.record_id from sfsync.outbox_updates l where l.mapping_id = {{mapping_id}});
    end if;
    return null;
  end if;
  if TG_OP = 'INSERT' then
    insert into sfsync.outbox_inserts (mapping_id, record_id)
    select {{mapping_id}}, n.id
      from new_rows n;
  elsif TG_OP = 'UPDATE' then
    insert into sfsync.outbox_updates (mapping_id, record_id, old)
    select {{mapping_id}}, o.id, {{old_image}}
      from old_rows o;
  else
    insert into sfsync.outbox (mapping_id, record_id, sfid, op)
    select {{mapping_id}}, o.id, o.sfid, 'delete'
      from old_rows o;
  end if;
  get diagnostics captured = row_count;
  if captured = 0 then
    return null;
  end if;
  perform pg_notify('sfsync:outbox', {{mapping_id}});
  return null;
end;
$capture$;
