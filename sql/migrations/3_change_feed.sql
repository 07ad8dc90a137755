-- 3: the change feed — every change sfsync applies to a mapped table
-- (inbound) and every change it pushed to Salesforce (outbound) as one entry
-- other programs read from SQL with a cursor of their own.
--
-- Positions are given when an entry is settled, not when it is written.
-- Writers (the inbound apply, the push write-back) append to feed_pending,
-- which has no index and no position, in their own transaction. feed_settle
-- moves the committed pending entries into feed under the feed_state row
-- lock, numbering them after the last position. A transaction that commits
-- later is settled later and gets higher positions, so a reader that has read
-- up to position p never finds an entry below p appear afterwards: positions
-- are monotonic and gap-free in the order readers see them. A sequence on
-- feed itself would not be: a transaction holding position 7 could commit
-- after a reader acked 8, and the reader would skip 7 for good.
-- Per record, entries settle in the order they were written (feed_pending's
-- id): writers of one record hold its row lock until they commit.

create type feed_direction as enum ('inbound', 'outbound');

-- Written by the sync paths; drained by feed_settle. No index, no constraint:
-- each costs the sync path's transaction.
create table feed_pending (
  id              bigint generated always as identity,
  connection_id   bigint not null,
  mapping_id      bigint not null,
  sobject         text not null,
  sfid            varchar(18),
  record_id       bigint,
  direction       feed_direction not null,
  op              outbox_op not null,
  changed         jsonb not null default '{}',
  systemmodstamp  timestamp(3),
  appended_at     timestamptz not null default clock_timestamp()
);

-- The settled feed: what subscribers read, by position.
create table feed (
  position        bigint primary key,
  connection_id   bigint not null,
  mapping_id      bigint not null,
  sobject         text not null,
  sfid            varchar(18),
  record_id       bigint,
  direction       feed_direction not null,
  op              outbox_op not null,
  changed         jsonb not null,
  systemmodstamp  timestamp(3),
  appended_at     timestamptz not null,
  settled_at      timestamptz not null default now()
);

-- One row: the last position given and the last one pruned.
create table feed_state (
  only_row        boolean primary key default true check (only_row),
  last_position   bigint not null default 0,
  pruned_through  bigint not null default 0
);
insert into feed_state default values;

-- A named reader and the last position it acknowledged.
create table feed_subscribers (
  name        text primary key check (name ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,62}$'),
  position    bigint not null,
  created_at  timestamptz not null default now(),
  acked_at    timestamptz
);

-- One NOTIFY per appending statement (Postgres folds equal ones of a
-- transaction into one, delivered at commit).
create function tg_feed_pending__notify() returns trigger
language plpgsql as $$
begin
  perform pg_notify('sfsync:feed', '');
  return null;
end;
$$;

create trigger feed_pending_notify after insert on feed_pending
  for each statement execute function tg_feed_pending__notify();

-- Number the committed pending entries after the last position. The row
-- lock on feed_state serializes settlers; each statement after it reads a
-- fresh snapshot (read committed), so it sees what the previous settler
-- moved. Under repeatable read a concurrent settle raises a serialization
-- failure instead of numbering twice.
create function feed_settle() returns integer
language plpgsql as $$
declare
  v_last bigint;
  n integer;
begin
  select last_position into v_last from sfsync.feed_state for update;
  with moved as (
    delete from sfsync.feed_pending returning *
  )
  insert into sfsync.feed (position, connection_id, mapping_id, sobject, sfid, record_id, direction, op, changed, systemmodstamp, appended_at)
  select v_last + row_number() over (order by m.id), m.connection_id, m.mapping_id, m.sobject, m.sfid, m.record_id, m.direction, m.op,
         m.changed, m.systemmodstamp, m.appended_at
    from moved m;
  get diagnostics n = row_count;
  if n > 0 then
    update sfsync.feed_state set last_position = v_last + n;
  end if;
  return n;
end;
$$;

comment on function feed_settle() is
  'Give the committed pending feed entries their positions, after the last one. Returns the count.';

-- A subscriber starts at the feed's end (p_from_start: at the oldest entry
-- kept). Subscribing again under the same name keeps its cursor.
create function feed_subscribe(p_name text, p_from_start boolean default false) returns bigint
language plpgsql as $$
declare
  v_position bigint;
begin
  if coalesce(p_name, '') = '' then
    raise exception 'sfsync.feed_subscribe: pass the subscriber''s name, e.g. sfsync.feed_subscribe(''billing'')'
      using errcode = 'null_value_not_allowed';
  end if;
  perform sfsync.feed_settle();
  insert into sfsync.feed_subscribers (name, position)
  select p_name, case when p_from_start then s.pruned_through else s.last_position end from sfsync.feed_state s
  on conflict (name) do nothing;
  select position into v_position from sfsync.feed_subscribers where name = p_name;
  return v_position;
end;
$$;

comment on function feed_subscribe(text, boolean) is
  'Create a feed subscriber at the end of the feed (or at its oldest kept entry); an existing one keeps its cursor. Returns its position.';

create function feed_unsubscribe(p_name text) returns boolean
language plpgsql as $$
begin
  delete from sfsync.feed_subscribers where name = p_name;
  return found;
end;
$$;

comment on function feed_unsubscribe(text) is 'Remove a feed subscriber. Returns whether it existed.';

-- Up to p_max entries after the subscriber's cursor, in position order. The
-- cursor moves only on feed_ack: an entry read and not acked comes again
-- (at least once). A subscriber whose cursor is below what retention pruned
-- gets an error, never the entries after the gap.
create function feed_read(p_subscriber text, p_max integer default 100) returns setof feed
language plpgsql as $$
declare
  v_position bigint;
  v_pruned bigint;
begin
  if p_subscriber is null or p_max is null or p_max < 1 then
    raise exception 'sfsync.feed_read: pass a subscriber name and a positive p_max, e.g. sfsync.feed_read(''billing'', 100)'
      using errcode = case when p_max < 1 then 'invalid_parameter_value' else 'null_value_not_allowed' end;
  end if;
  perform sfsync.feed_settle();
  select position into v_position from sfsync.feed_subscribers where name = p_subscriber;
  if not found then
    raise exception 'sfsync.feed_read: no feed subscriber "%"; create it with select sfsync.feed_subscribe(%)', p_subscriber, quote_literal(p_subscriber)
      using errcode = 'no_data_found';
  end if;
  select pruned_through into v_pruned from sfsync.feed_state;
  if v_position < v_pruned then
    raise exception 'sfsync.feed_read: subscriber "%" fell behind the feed''s retention (acked %, entries through % were pruned); resync it from the tables and re-create it with sfsync.feed_unsubscribe and sfsync.feed_subscribe, or raise feed.retentionHours', p_subscriber, v_position, v_pruned
      using errcode = 'object_not_in_prerequisite_state';
  end if;
  return query select f.* from sfsync.feed f where f.position > v_position order by f.position limit p_max;
end;
$$;

comment on function feed_read(text, integer) is
  'Up to p_max feed entries after the subscriber''s cursor, in position order; fails when retention pruned entries it never acked.';

create function feed_ack(p_subscriber text, p_position bigint) returns bigint
language plpgsql as $$
declare
  v_last bigint;
  v_position bigint;
begin
  if p_subscriber is null or p_position is null then
    raise exception 'sfsync.feed_ack: pass the subscriber name and the last position it handled'
      using errcode = 'null_value_not_allowed';
  end if;
  select last_position into v_last from sfsync.feed_state;
  if p_position > v_last then
    raise exception 'sfsync.feed_ack: position % is past the feed''s end (%); ack a position feed_read returned', p_position, v_last
      using errcode = 'invalid_parameter_value';
  end if;
  update sfsync.feed_subscribers set position = greatest(position, p_position), acked_at = now()
   where name = p_subscriber returning position into v_position;
  if not found then
    raise exception 'sfsync.feed_ack: no feed subscriber "%"; create it with select sfsync.feed_subscribe(%)', p_subscriber, quote_literal(p_subscriber)
      using errcode = 'no_data_found';
  end if;
  return v_position;
end;
$$;

comment on function feed_ack(text, bigint) is
  'Move the subscriber''s cursor to p_position (never back): entries up to it are handled. Returns the cursor.';

-- The push's successful changes of this round, one entry per outbox row (a
-- change merged into a later one of the same round was sent too), in outbox
-- order. SystemModstamp is unknown until the next poll.
create function feed_append_pushed(p_outbox_ids bigint[]) returns integer
language plpgsql as $$
declare
  n integer;
begin
  insert into sfsync.feed_pending (connection_id, mapping_id, sobject, sfid, record_id, direction, op, changed)
  select m.connection_id, o.mapping_id, m.sobject, o.sfid, o.record_id, 'outbound', o.op, o.changed
    from sfsync.outbox o join sfsync.mappings m on m.id = o.mapping_id
   where o.id = any (p_outbox_ids) and o.state in ('success', 'merged')
   order by o.id;
  get diagnostics n = row_count;
  return n;
end;
$$;

comment on function feed_append_pushed(bigint[]) is
  'Append to the feed the pushed changes among these outbox rows (state success or merged). Returns the count.';

-- Retention: entries settled before now() - p_keep go, as one prefix of
-- positions, and pruned_through remembers the last, so feed_read can tell a
-- subscriber it lost entries.
create function feed_prune(p_keep interval) returns integer
language plpgsql as $$
declare
  v_through bigint;
  n integer;
begin
  if p_keep is null or p_keep < interval '0' then
    raise exception 'sfsync.feed_prune: pass how long to keep entries, e.g. interval ''24 hours'''
      using errcode = case when p_keep is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  perform sfsync.feed_settle();
  select max(position) into v_through from sfsync.feed where settled_at < now() - p_keep;
  if v_through is null then
    return 0;
  end if;
  delete from sfsync.feed where position <= v_through;
  get diagnostics n = row_count;
  update sfsync.feed_state set pruned_through = greatest(pruned_through, v_through);
  return n;
end;
$$;

comment on function feed_prune(interval) is
  'Delete feed entries settled more than p_keep ago; subscribers that had not acked them fail on their next read. Returns the count.';

-- A subscriber's lag, for status and monitoring.
create view feed_lag as
  select s.name, s.position, st.last_position - s.position as behind, s.position < st.pruned_through as lost, s.acked_at
    from feed_subscribers s cross join feed_state st;

