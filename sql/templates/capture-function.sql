-- The capture function of one read_write mapped table (rendered by
-- src/mapping/plan-statements.ts; docs/schema.md says why it is per table and
-- statement-level). Its three triggers (capture-triggers.sql) run it once per
-- statement with the statement's rows as transition tables, so a statement
-- costs one INSERT … SELECT into the outbox and one NOTIFY, however many rows
-- it changed. Rows sfsync writes itself (sfsync.origin set) are skipped first.
-- UPDATE compares each mapped writable column of the old and new row (same id)
-- and sends only those that changed (no change: no outbox row, no NOTIFY);
-- INSERT sends the non-null mapped values; DELETE only the ids.
-- A one-row UPDATE (what applications mostly run) pairs its only old and new
-- row without a join; a bigger one is planned for its size (EXECUTE: a hash
-- join on id), since a plan cached from a one-row statement would join 10,000
-- rows by nested loop.
create or replace function {{capture_function}}() returns trigger
language plpgsql as $capture$
declare
  updated bigint;
  paired bigint;
  captured bigint;
begin
  if current_setting('sfsync.origin', true) <> '' then
    return null;
  end if;
  if TG_OP = 'INSERT' then
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed)
    select {{mapping_id}}, n.id, n.sfid, 'insert', {{insert_values}}
      from new_rows n;
    get diagnostics captured = row_count;
  elsif TG_OP = 'DELETE' then
    insert into sfsync.outbox (mapping_id, record_id, sfid, op)
    select {{mapping_id}}, o.id, o.sfid, 'delete'
      from old_rows o;
    get diagnostics captured = row_count;
  else
    updated := (select count(*) from new_rows);
    if updated = 0 then
      return null;
    elsif updated = 1 then
      insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
      select {{mapping_id}}, n.id, coalesce(n.sfid, o.sfid), 'update', {{update_changed}}, {{update_old}}
        from new_rows n, old_rows o
       where {{update_differs}};
      get diagnostics captured = row_count;
    else
      execute $update$
        with pairs as (
          select n.id, coalesce(n.sfid, o.sfid) as sfid, {{update_differs}} as differs, {{update_changed}} as changed, {{update_old}} as old
            from new_rows n join old_rows o on o.id = n.id
        ), captured as (
          insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
          select {{mapping_id}}, id, sfid, 'update', changed, old from pairs where differs
          returning 1
        )
        select (select count(*) from pairs), (select count(*) from captured)
      $update$ into paired, captured;
      if paired <> updated then
        raise exception 'An UPDATE of % rows of %.% changed the id of some; sfsync pairs old and new rows by id: change id one row per statement', updated, TG_TABLE_SCHEMA, TG_TABLE_NAME
          using errcode = 'feature_not_supported';
      end if;
    end if;
  end if;
  if captured > 0 then
    perform pg_notify('sfsync:outbox', {{mapping_id}});
  end if;
  return null;
end;
$capture$;
