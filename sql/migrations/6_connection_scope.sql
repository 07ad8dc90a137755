-- 6: connection scope — many orgs in one database.
--
-- The operator views name each change's connection (the same object from
-- two orgs lives in two tables; a row of failed_changes, outbox_status or
-- open_changes must say which org it goes to), and one connection's mappings
-- pause and resume together. Columns are added at the end: create or
-- replace view keeps existing ones in place.

create or replace view sfsync.failed_changes as
select
  ob.id,
  ob.mapping_id,
  m.sobject,
  m.schema_name,
  m.table_name,
  ob.record_id,
  ob.sfid,
  ob.op::text as op,
  ob.changed,
  ob.error ->> 'code' as error_code,
  ob.error ->> 'message' as error_message,
  ob.error,
  ob.attempts,
  ob.created_at,
  ob.done_at as failed_at,
  c.name as connection
from sfsync.outbox ob
join sfsync.mappings m on m.id = ob.mapping_id
join sfsync.connections c on c.id = m.connection_id
where ob.state = 'failed';

create or replace view sfsync.outbox_status as
select
  m.id as mapping_id,
  m.sobject,
  m.schema_name,
  m.table_name,
  coalesce(o.pending, 0)::bigint as pending,
  coalesce(o.failed, 0)::bigint as failed,
  now() - o.oldest_pending_at as oldest_pending_age,
  e.error as last_error,
  c.push_paused_until,
  c.name as connection
from sfsync.mappings m
join sfsync.connections c on c.id = m.connection_id
left join lateral (
  select count(*) filter (where ob.state in ('new', 'claimed')) as pending,
         count(*) filter (where ob.state = 'failed') as failed,
         min(ob.created_at) filter (where ob.state in ('new', 'claimed')) as oldest_pending_at
    from sfsync.outbox ob
   where ob.mapping_id = m.id and ob.state in ('new', 'claimed', 'failed')
) o on true
left join lateral (
  select ob.error from sfsync.outbox ob
   where ob.mapping_id = m.id and ob.state in ('new', 'claimed', 'failed') and ob.error is not null
   order by ob.id desc limit 1
) e on true;

create or replace view sfsync.open_changes as
select
  ob.mapping_id,
  m.schema_name,
  m.table_name,
  ob.record_id,
  (array_agg(ob.sfid order by ob.id desc) filter (where ob.sfid is not null))[1] as sfid,
  array_agg(ob.op::text order by ob.id) as ops,
  bool_or(ob.state = 'claimed') as in_flight,
  min(ob.created_at) as waiting_since,
  max(ob.attempts) as attempts,
  max(ob.next_attempt_at) filter (where ob.state = 'new' and ob.attempts > 0) as next_attempt_at,
  (array_agg(ob.error order by ob.id desc) filter (where ob.error is not null))[1] as last_error,
  c.name as connection
from sfsync.outbox ob
join sfsync.mappings m on m.id = ob.mapping_id
join sfsync.connections c on c.id = m.connection_id
where ob.state in ('new', 'claimed')
group by ob.mapping_id, m.schema_name, m.table_name, ob.record_id, c.name;

-- The connection named p_connection; raises naming the known ones otherwise.
create function sfsync.resolve_connection(p_connection text) returns bigint
language plpgsql stable as $$
declare
  v_id bigint;
begin
  if p_connection is null then
    raise exception 'The connection name is null (null never means all); name one (list them with `sfsync status`).'
      using errcode = 'null_value_not_allowed';
  end if;
  select c.id into v_id from sfsync.connections c where c.name = p_connection;
  if v_id is null then
    raise exception 'No connection named "%" (known: %); list them with `sfsync status`.', p_connection,
      coalesce((select string_agg(c.name, ', ' order by c.id) from sfsync.connections c), 'none')
      using errcode = 'no_data_found';
  end if;
  return v_id;
end $$;

comment on function sfsync.resolve_connection(text) is
  'The id of the connection named p_connection; raises no_data_found naming the known connections otherwise.';

-- Pause or resume every mapping of one connection (one org); the others run on.
create function sfsync.pause_connection(p_connection text) returns setof bigint
language plpgsql as $$
declare
  v_id bigint := sfsync.resolve_connection(p_connection);
  v_mapping bigint;
begin
  for v_mapping in
    update sfsync.mappings m set state = 'paused', updated_at = now()
    where m.connection_id = v_id and m.state <> 'paused'
    returning m.id
  loop
    perform pg_notify('sfsync:mappings', json_build_object('action', 'pause', 'mappingId', v_mapping)::text);
    return next v_mapping;
  end loop;
end $$;

comment on function sfsync.pause_connection(text) is
  'Pause every mapping of the named connection (no polls, no pushes; changes are still captured); other connections run on.';

create function sfsync.resume_connection(p_connection text) returns setof bigint
language plpgsql as $$
declare
  v_id bigint := sfsync.resolve_connection(p_connection);
  v_mapping bigint;
begin
  for v_mapping in
    update sfsync.mappings m
    set state = case when m.watermark is null then 'new' else 'active' end, updated_at = now()
    where m.connection_id = v_id and m.state = 'paused'
    returning m.id
  loop
    perform pg_notify('sfsync:mappings', json_build_object('action', 'resume', 'mappingId', v_mapping)::text);
    return next v_mapping;
  end loop;
end $$;

comment on function sfsync.resume_connection(text) is
  'Resume every paused mapping of the named connection; one that never loaded goes back to new.';
