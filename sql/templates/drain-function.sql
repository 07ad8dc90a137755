-- The drain of one read_write mapped table's logged inserts (rendered by
-- src/mapping/plan-statements.ts with the capture function; sfsync.drain_inserts
-- calls it, under a claim or an inbound apply). It moves the mapping's rows of
-- sfsync.outbox_inserts (all, or those of p_record_ids) into the outbox, each
-- with its id, transaction and capture time, and the row's non-null mapped
-- writable values as they are now, keyed by Salesforce field name. A row
-- deleted meanwhile becomes an ignored insert (its delete was captured after
-- it). Static SQL, so each session plans it once.
create or replace function {{drain_function}}(p_record_ids bigint[]) returns integer
language plpgsql as $drain$
declare
  moved_count integer;
begin
  with moved as (
    delete from sfsync.outbox_inserts l
     where l.mapping_id = {{mapping_id}} and (p_record_ids is null or l.record_id = any (p_record_ids))
    returning l.id, l.record_id, l.txid, l.created_at)
  insert into sfsync.outbox (id, mapping_id, record_id, sfid, op, changed, txid, created_at, state, done_at)
  overriding system value
  select m.id, {{mapping_id}}, m.record_id, n.sfid, 'insert',
         case when n.id is null then '{}'::jsonb else {{insert_values}} end,
         m.txid, m.created_at,
         case when n.id is null then 'ignored' else 'new' end::sfsync.outbox_state,
         case when n.id is null then now() end
    from moved m left join {{table}} n on n.id = m.record_id
   order by m.id;
  get diagnostics moved_count = row_count;
  return moved_count;
end;
$drain$;
