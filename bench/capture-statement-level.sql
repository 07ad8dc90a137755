-- A statement-level (transition tables) capture, kept only for
-- bench/capture.ts to measure against the generated row-level function
-- sfsync ships (docs/schema.md, "Capture triggers"). {{…}}: the bench substitutes the table and mapping id.
create schema if not exists sfsync_bench;

create or replace function sfsync_bench.capture_stmt() returns trigger
language plpgsql as $$
declare
  mapping_id bigint := TG_ARGV[0]::bigint;
  cols text[] := TG_ARGV[1]::text[];
  flds text[] := TG_ARGV[2]::text[];
begin
  if coalesce(current_setting('sfsync.origin', true), '') <> '' then
    return null;
  end if;
  if TG_OP = 'INSERT' then
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed)
    select mapping_id, (r->>'id')::bigint, r->>'sfid', 'insert',
           coalesce((select jsonb_object_agg(a.f, r->a.c) from unnest(cols, flds) a(c, f) where r->a.c <> 'null'::jsonb), '{}')
    from (select to_jsonb(t) as r from new_rows t) s;
  elsif TG_OP = 'UPDATE' then
    insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
    select mapping_id, (n->>'id')::bigint, n->>'sfid', 'update', d.changed, d.old
    from (select to_jsonb(t) as n from new_rows t) nn
    join (select to_jsonb(t) as o from old_rows t) oo on (oo.o->>'id') = (nn.n->>'id')
    cross join lateral (
      select jsonb_object_agg(a.f, n->a.c) as changed, jsonb_object_agg(a.f, o->a.c) as old
      from unnest(cols, flds) a(c, f) where n->a.c is distinct from o->a.c
    ) d
    where d.changed is not null;
  else
    insert into sfsync.outbox (mapping_id, record_id, sfid, op)
    select mapping_id, (r->>'id')::bigint, r->>'sfid', 'delete' from (select to_jsonb(t) as r from old_rows t) s;
  end if;
  perform pg_notify('sfsync:outbox', mapping_id::text);
  return null;
end;
$$;
