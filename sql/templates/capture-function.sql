-- The capture function of one read_write mapped table (rendered by
-- src/mapping/plan-statements.ts; docs/schema.md says why it is per table and
-- why INSERT and DELETE are captured per statement but UPDATE per row). Rows
-- sfsync writes itself (sfsync.origin set) are skipped first.
-- INSERT and DELETE (statement-level triggers, the statement's rows in the
-- transition tables new_rows / old_rows): one INSERT … SELECT and one NOTIFY
-- per statement, however many rows it wrote. INSERT logs only the ids, into
-- the index-less sfsync.outbox_inserts (the claim reads the row's values
-- when it moves them into the outbox: sfsync.drain_inserts); DELETE writes
-- the ids and sfids into the outbox.
-- UPDATE (a row-level trigger): compares each mapped writable column of OLD
-- and NEW and builds jsonb only for those that changed (no change: no outbox
-- row, no NOTIFY).
create or replace function {{capture_function}}() returns trigger
language plpgsql as $capture$
declare
  changed jsonb := '{}';
  previous jsonb := '{}';
  captured bigint;
begin
  if current_setting('sfsync.origin', true) <> '' then
    return null;
  end if;
  if TG_OP = 'UPDATE' then
{{update_checks}}
    if changed = '{}'::jsonb then
      return null;
    end if;
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
    values ({{mapping_id}}, NEW.id, coalesce(NEW.sfid, OLD.sfid), 'update', changed, previous);
  else
    if TG_OP = 'INSERT' then
      insert into sfsync.outbox_inserts (mapping_id, record_id)
      select {{mapping_id}}, n.id
        from new_rows n;
    else
      insert into sfsync.outbox (mapping_id, record_id, sfid, op)
      select {{mapping_id}}, o.id, o.sfid, 'delete'
        from old_rows o;
    end if;
    get diagnostics captured = row_count;
    if captured = 0 then
      return null;
    end if;
  end if;
  perform pg_notify('sfsync:outbox', {{mapping_id}});
  return null;
end;
$capture$;
