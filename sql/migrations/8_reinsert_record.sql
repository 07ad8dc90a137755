-- 8: a re-insert says what it sent.
--
-- An update of a row that has no Salesforce Id (its insert failed for good,
-- then the app fixed the row) goes to Salesforce as an insert of the row's
-- every current value (src/outbound/round.ts), but its outbox rows kept the
-- update's op and fields. The change feed copies pushed outbox rows
-- (feed_append_pushed), so a feed reader saw an update of one field for a
-- record it never saw created. Once the re-insert succeeded, its first outbox
-- row records the insert: op insert, the values sent.

create function sfsync.record_reinsert(p_ids bigint[], p_changed jsonb[]) returns integer
language plpgsql as $$
declare
  n integer;
begin
  if p_ids is null or p_changed is null or cardinality(p_ids) <> cardinality(p_changed) then
    raise exception 'sfsync.record_reinsert: pass the outbox ids of the re-inserts and the values each sent, one per id'
      using errcode = 'invalid_parameter_value';
  end if;
  update sfsync.outbox o set op = 'insert', changed = u.changed
    from unnest(p_ids, p_changed) u(id, changed)
   where o.id = u.id and o.state in ('success', 'merged');
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function sfsync.record_reinsert(bigint[], jsonb[]) is
  'Record that these settled changes went to Salesforce as inserts of these values (re-inserts). Returns the count.';
