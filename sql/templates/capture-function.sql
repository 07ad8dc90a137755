-- The capture function of one read_write mapped table (rendered by
-- src/mapping/plan-statements.ts; docs/schema.md says why it is per table).
-- Rows sfsync writes itself (sfsync.origin set) are skipped first: a check
-- here costs less than a WHEN clause on the trigger, which Postgres prepares
-- for every statement (docs/schema.md, "Measured cost"). UPDATE compares each mapped writable
-- column directly and builds jsonb only for those that changed (no change: no
-- outbox row, no NOTIFY); INSERT sends the non-null mapped values; DELETE only
-- the ids.
create or replace function {{capture_function}}() returns trigger
language plpgsql as $capture$
declare
  changed jsonb := '{}';
  previous jsonb := '{}';
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
  elsif TG_OP = 'INSERT' then
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed)
    values ({{mapping_id}}, NEW.id, NEW.sfid, 'insert', {{insert_values}});
  else
    insert into sfsync.outbox (mapping_id, record_id, sfid, op)
    values ({{mapping_id}}, OLD.id, OLD.sfid, 'delete');
  end if;
  perform pg_notify('sfsync:outbox', {{mapping_id}});
  return null;
end;
$capture$;
