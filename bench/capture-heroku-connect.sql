-- A reference capture built from Heroku Connect's documented design, kept only
-- for bench/capture.ts to measure sfsync's capture against (nothing of it is
-- Heroku Connect's code): per mapped table a BEFORE trigger that marks the row
-- _hc_lastop = 'PENDING', an AFTER row trigger that logs the change as hstore
-- text into _trigger_log (the changed columns, hstore(NEW) - hstore(OLD), and
-- the whole old row), the log's three indexes, and a per-row pg_notify
-- trigger on the log.
create extension if not exists hstore;

alter table bench_hc.account add column _hc_lastop varchar(32), add column _hc_err text;

create table bench_hc._trigger_log (
  id bigserial primary key,
  txid bigint,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  processed_at timestamptz,
  processed_tx bigint,
  state varchar(8),
  action varchar(7),
  table_name varchar(128),
  record_id bigint,
  sfid varchar(18),
  old text,
  values text,
  sf_result integer,
  sf_message text
);
create index _trigger_log_created_at on bench_hc._trigger_log (created_at);
create index _trigger_log_state_id on bench_hc._trigger_log (state, id);
create index _trigger_log_state_table on bench_hc._trigger_log (state, table_name) where state in ('NEW', 'PENDING');

create function bench_hc.tg_account__pending() returns trigger language plpgsql as $$
begin
  -- The sync's own writes set a session flag and are left alone.
  if coalesce(current_setting('bench_hc.origin', true), '') <> '' then return NEW; end if;
  NEW._hc_lastop := 'PENDING';
  NEW._hc_err := null;
  return NEW;
end $$;

create function bench_hc.tg_account__log() returns trigger language plpgsql as $$
declare
  excluded text[] := array['id', '_hc_lastop', '_hc_err', 'systemmodstamp', 'createddate', 'isdeleted'];
  changed hstore;
begin
  if coalesce(current_setting('bench_hc.origin', true), '') <> '' then return null; end if;
  if TG_OP = 'INSERT' then
    insert into bench_hc._trigger_log (txid, state, action, table_name, record_id, sfid, values)
    values (txid_current(), 'NEW', 'INSERT', TG_TABLE_NAME, NEW.id, NEW.sfid, (hstore(NEW) - excluded)::text);
  elsif TG_OP = 'UPDATE' then
    changed := (hstore(NEW) - hstore(OLD)) - excluded;
    if changed = ''::hstore then return null; end if;
    insert into bench_hc._trigger_log (txid, state, action, table_name, record_id, sfid, values, old)
    values (txid_current(), 'NEW', 'UPDATE', TG_TABLE_NAME, NEW.id, NEW.sfid, changed::text, hstore(OLD)::text);
  else
    insert into bench_hc._trigger_log (txid, state, action, table_name, record_id, sfid, old)
    values (txid_current(), 'NEW', 'DELETE', TG_TABLE_NAME, OLD.id, OLD.sfid, hstore(OLD)::text);
  end if;
  return null;
end $$;

create function bench_hc.tg_trigger_log__notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('bench_hc.trigger_log', NEW.table_name);
  return null;
end $$;

create trigger hc_pending before insert or update on bench_hc.account for each row execute function bench_hc.tg_account__pending();
create trigger hc_log after insert or update or delete on bench_hc.account for each row execute function bench_hc.tg_account__log();
create trigger hc_notify after insert on bench_hc._trigger_log for each row execute function bench_hc.tg_trigger_log__notify();
