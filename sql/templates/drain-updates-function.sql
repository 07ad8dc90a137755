-- The drain of one read_write mapped table's logged updates (rendered by
-- src/mapping/plan-statements.ts with the capture function, which lays out
-- the images it reads; sfsync.drain_updates calls it, under a claim or an
-- inbound apply). It moves the mapping's rows of sfsync.outbox_updates (all,
-- or those of p_record_ids) into the outbox, each with its id, transaction
-- and capture time.
-- A logged image is a row as it was before an UPDATE. The row's image after
-- that UPDATE is the next image logged for it, or, when there is none, the
-- row as it is now: the next UPDATE cannot have committed without its own
-- image, and sfsync's own writes log theirs (capture-function.sql). `chain`
-- reads the log as the statement found it, so every entry is paired in the
-- same way whichever drain moves it. The fields whose text differs become
-- the change, typed as the column's type: `changed` the new values, `old`
-- the values before. An image sfsync logged sends nothing; an UPDATE that
-- changed no mapped field sends nothing; nor does one whose row is gone (its
-- delete, captured after it, follows).
create or replace function {{drain_updates_function}}(p_record_ids bigint[]) returns integer
language plpgsql as $drain_updates$
declare
  moved_count integer;
begin
  with moved as (
    delete from sfsync.outbox_updates l
     where l.mapping_id = {{mapping_id}} and (p_record_ids is null or l.record_id = any (p_record_ids))
    returning l.id, l.record_id, l.old, l.sfsync_write, l.txid, l.created_at
  ), chain as (
    select l.id, lead(l.old) over (partition by l.record_id order by l.id) as next_image
      from sfsync.outbox_updates l
     where l.mapping_id = {{mapping_id}} and l.record_id in (select m.record_id from moved m)
  ), pairs as (
    select m.id, m.record_id, n.sfid, m.txid, m.created_at, m.old as b, coalesce(c.next_image, {{current_image}}) as a
      from moved m
      join chain c on c.id = m.id
      join {{table}} n on n.id = m.record_id
     where not m.sfsync_write
  ), changes as (
    select p.id, p.record_id, p.sfid, p.txid, p.created_at,
           {{changed}} as changed,
           {{old}} as old
      from pairs p
  )
  insert into sfsync.outbox (id, mapping_id, record_id, sfid, op, changed, old, txid, created_at)
  overriding system value
  select c.id, {{mapping_id}}, c.record_id, c.sfid, 'update', c.changed, c.old, c.txid, c.created_at
    from changes c
   where c.changed <> '{}'::jsonb
   order by c.id;
  get diagnostics moved_count = row_count;
  return moved_count;
end;
$drain_updates$;
