-- 3: outbox — one row per captured change of a read_write mapped table.
--
-- The outbox row IS the record of the change; pg_notify only wakes the engine.
-- States (DESIGN.md's list, refined):
--   new      captured, waiting to be sent (also: a retryable failure, with
--            `attempts` > 0 and `next_attempt_at` in the future);
--   pending  claimed by a push and possibly sent: if the process dies here the
--            outcome is unknown, and recovery must look the record up in
--            Salesforce (or upsert by External ID) before sending again;
--   success  Salesforce accepted it;
--   failed   a permanent error (validation rule, required field …): `error`
--            holds Salesforce's error; an operator retries or discards it;
--   merged   folded into a later change of the same record, sent with it;
--   ignored  discarded by an operator.
-- `changed` holds the new values of the mapped columns that really changed
-- (keyed by Salesforce field name), `old` their previous values (for conflict
-- detection). `txid` orders changes of one transaction together.
create table outbox (
  id               bigint generated always as identity primary key,
  mapping_id       bigint not null references mappings (id) on delete cascade,
  record_id        bigint not null,
  sfid             varchar(18),
  op               text not null check (op in ('insert', 'update', 'delete')),
  changed          jsonb not null default '{}',
  old              jsonb,
  txid             xid8 not null default pg_current_xact_id(),
  state            text not null default 'new'
                     check (state in ('new', 'pending', 'success', 'failed', 'merged', 'ignored')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null default now(),
  claimed_by       text,
  claimed_at       timestamptz,
  error            jsonb,
  created_at       timestamptz not null default clock_timestamp(),
  done_at          timestamptz
);

-- The push's claim: oldest open changes of one mapping.
create index outbox_open on outbox (mapping_id, id) where state in ('new', 'pending');
-- Per-record ordering and merging.
create index outbox_record on outbox (mapping_id, record_id, id);
-- The operator's failed list.
create index outbox_failed on outbox (mapping_id, id) where state = 'failed';
