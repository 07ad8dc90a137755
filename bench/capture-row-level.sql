-- The row-level capture sfsync shipped before its capture became
-- statement-level, kept only for bench/capture.ts to measure beside it: one
-- call per changed row, each comparing the mapped columns, building jsonb for
-- those that changed, inserting one outbox row and notifying. {{…}}: the
-- bench substitutes the mapping id and the per-column lines.
create function bench_row.capture() returns trigger
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

create trigger capture after insert or update or delete on bench_row.account for each row execute function bench_row.capture();
