-- An UPDATE capture at statement level, kept only for bench/capture.ts to
-- measure beside the row-level one sfsync ships for UPDATE: one INSERT …
-- SELECT into the outbox and one NOTIFY per statement. A one-row statement
-- pairs its old and new row without a join (gated by the row count); a bigger
-- one is planned for its size (EXECUTE: a hash join on id; a plan cached from a
-- one-row statement would join 10,000 rows by nested loop). {{…}}: the bench
-- substitutes the mapping id and the per-column expressions.
create function bench_stmtupdate.capture_update() returns trigger
language plpgsql as $capture$
declare
  updated bigint;
  paired bigint;
  captured bigint;
begin
  if current_setting('sfsync.origin', true) <> '' then
    return null;
  end if;
  insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
  select {{mapping_id}}, n.id, coalesce(n.sfid, o.sfid), 'update', {{changed}}, {{old}}
    from new_rows n, old_rows o
   where (select count(*) from new_rows) = 1 and {{differs}};
  get diagnostics captured = row_count;
  if captured = 0 then
    updated := (select count(*) from new_rows);
    if updated > 1 then
      execute $update$
        with pairs as (
          select n.id, coalesce(n.sfid, o.sfid) as sfid, {{differs}} as differs, {{changed}} as changed, {{old}} as old
            from new_rows n join old_rows o on o.id = n.id
        ), captured as (
          insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
          select {{mapping_id}}, id, sfid, 'update', changed, old from pairs where differs
          returning 1
        )
        select (select count(*) from pairs), (select count(*) from captured)
      $update$ into paired, captured;
      if paired <> updated then
        raise exception 'An UPDATE of % rows changed the id of some', updated;
      end if;
    end if;
  end if;
  if captured > 0 then
    perform pg_notify('sfsync:outbox', {{mapping_id}});
  end if;
  return null;
end;
$capture$;
