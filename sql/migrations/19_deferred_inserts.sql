-- 19: deferred_inserts — Salesforce records a poll held back, until they can go in.
--
-- Why: on a mapping without an External ID, a record created in Salesforce
-- while a local insert's outcome is unresolved (in flight, or unknown after a
-- lost reply or a crash) may BE that insert. The inbound apply does not insert
-- such a record (the push adopts it by lookup instead), and before this table
-- nothing remembered it: only the drift re-poll looked again, once, and under
-- a steady stream of local inserts it held the record back again, so the
-- record never arrived (the chaos soak lost 105 Accounts this way).
--
-- Now every held-back record is written here, in the apply's transaction.
-- Each poll of the mapping (and a poll the push queues as soon as it resolves
-- an insert) fetches by Id the records no unresolved insert holds back any
-- more, applies them, and deletes their lines once the table has them (or
-- Salesforce no longer does). A record adopted by the push has its sfid in
-- the table, so its line goes the same way.
create table deferred_inserts (
  mapping_id bigint not null references mappings (id) on delete cascade,
  sfid varchar(18) not null,
  -- Salesforce's CreatedDate (UTC), compared with the unresolved inserts' claim times.
  createddate timestamp(3),
  deferred_at timestamptz not null default now(),
  primary key (mapping_id, sfid)
);

comment on table deferred_inserts is
  'Salesforce records a poll did not insert because a local insert of the same mapping had an unresolved outcome (no External ID); applied by Id once no such insert holds them back.';
