-- 6: conflicts — one row per field on which both sides changed since the last sync.
--
-- Why: Heroku Connect lets the last writer win silently; sfsync records every
-- decision with both values so an operator can see and, if needed, undo it.
create table conflicts (
  id           bigint generated always as identity primary key,
  mapping_id   bigint not null references mappings (id) on delete cascade,
  sfid         varchar(18) not null,
  field        text not null,
  pg_value     jsonb,
  sf_value     jsonb,
  policy       text not null,
  decision     text not null check (decision in ('salesforce', 'postgres')),
  decided_at   timestamptz not null default now()
);

create index conflicts_recent on conflicts (mapping_id, decided_at desc);
