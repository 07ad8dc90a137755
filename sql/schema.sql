-- The catalog of the sfsync schema after every migration: what
-- `npm run schema:dump` (scripts/schema-dump.ts, src/db/catalog.ts) reads from
-- pg_catalog of a freshly migrated database. Nothing runs this file;
-- test/db/schema.test.ts fails when a migration changes the catalog and this
-- file was not regenerated, so every schema change shows up here in review.
-- Owners, privileges and OIDs are left out. See docs/schema.md.

create type sfsync.feed_direction as enum ('inbound', 'outbound');

create type sfsync.outbox_op as enum ('insert', 'update', 'delete');

create type sfsync.outbox_state as enum ('new', 'claimed', 'success', 'failed', 'merged', 'ignored');

create table sfsync.conflicts (
  id bigint generated always as identity not null,
  mapping_id bigint not null,
  sfid character varying(18) not null,
  field text not null,
  pg_value jsonb,
  sf_value jsonb,
  policy text not null,
  decision text not null,
  decided_at timestamp with time zone default now() not null
);
alter table sfsync.conflicts add constraint conflicts_decision_check CHECK (decision = ANY (ARRAY['salesforce'::text, 'postgres'::text]));
alter table sfsync.conflicts add constraint conflicts_mapping_id_fkey FOREIGN KEY (mapping_id) REFERENCES sfsync.mappings(id) ON DELETE CASCADE;
alter table sfsync.conflicts add constraint conflicts_pkey PRIMARY KEY (id);
CREATE INDEX conflicts_by_field ON sfsync.conflicts USING btree (mapping_id, sfid, field, id DESC);
CREATE INDEX conflicts_recent ON sfsync.conflicts USING btree (mapping_id, decided_at DESC);

create table sfsync.connections (
  id bigint generated always as identity not null,
  name text not null,
  login_url text not null,
  instance_url text,
  api_version text default '59.0'::text not null,
  auth_kind text default 'password'::text not null,
  username text,
  client_id text,
  state text default 'active'::text not null,
  last_error jsonb,
  api_usage integer,
  api_limit integer,
  api_usage_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  push_paused_until timestamp with time zone,
  secrets jsonb default '{}'::jsonb not null,
  api_budget_share real default 0.5 not null,
  governor text default 'normal'::text not null
);
alter table sfsync.connections add constraint connections_api_budget_share_range CHECK (api_budget_share > 0::double precision AND api_budget_share <= 1::double precision);
alter table sfsync.connections add constraint connections_api_version_check CHECK (api_version ~ '^[0-9]{2}\.0$'::text);
alter table sfsync.connections add constraint connections_auth_kind_check CHECK (auth_kind = ANY (ARRAY['password'::text, 'client_credentials'::text, 'jwt'::text, 'refresh_token'::text, 'soap'::text]));
alter table sfsync.connections add constraint connections_governor_state CHECK (governor = ANY (ARRAY['normal'::text, 'slow'::text, 'stopped'::text]));
alter table sfsync.connections add constraint connections_instance_url_check CHECK (instance_url ~ '^https?://'::text);
alter table sfsync.connections add constraint connections_login_url_check CHECK (login_url ~ '^https?://'::text);
alter table sfsync.connections add constraint connections_name_check CHECK (name ~ '^[a-z][a-z0-9_]{0,39}$'::text);
alter table sfsync.connections add constraint connections_name_key UNIQUE (name);
alter table sfsync.connections add constraint connections_pkey PRIMARY KEY (id);
alter table sfsync.connections add constraint connections_secrets_is_object CHECK (jsonb_typeof(secrets) = 'object'::text);
alter table sfsync.connections add constraint connections_state_check CHECK (state = ANY (ARRAY['active'::text, 'paused'::text, 'error'::text]));
comment on column sfsync.connections.secrets is 'Per secret field: {"sealed": AES-256-GCM envelope} or {"ref": "@file" | "env:NAME"}; never a value in clear.';
comment on column sfsync.connections.api_budget_share is 'Share of the org''s daily API limit sfsync may use (0 < share <= 1; default 0.5).';
comment on column sfsync.connections.governor is 'What the API governor does: normal, slow (polls and drift re-polls stretched, pushes batched) or stopped (only waiting changes are pushed).';

create table sfsync.deferred_inserts (
  mapping_id bigint not null,
  sfid character varying(18) not null,
  createddate timestamp(3) without time zone,
  deferred_at timestamp with time zone default now() not null
);
alter table sfsync.deferred_inserts add constraint deferred_inserts_mapping_id_fkey FOREIGN KEY (mapping_id) REFERENCES sfsync.mappings(id) ON DELETE CASCADE;
alter table sfsync.deferred_inserts add constraint deferred_inserts_pkey PRIMARY KEY (mapping_id, sfid);
comment on table sfsync.deferred_inserts is 'Salesforce records a poll did not insert because a local insert of the same mapping had an unresolved outcome (no External ID); applied by Id once no such insert holds them back.';

create table sfsync.engines (
  worker_pool_id text not null,
  pid integer not null,
  backend_start timestamp with time zone not null,
  process_name text not null,
  started_at timestamp with time zone default now() not null
);
alter table sfsync.engines add constraint engines_pkey PRIMARY KEY (worker_pool_id);

create table sfsync.feed (
  position bigint not null,
  connection_id bigint not null,
  mapping_id bigint not null,
  sobject text not null,
  sfid character varying(18),
  record_id bigint,
  direction sfsync.feed_direction not null,
  op sfsync.outbox_op not null,
  changed jsonb not null,
  systemmodstamp timestamp(3) without time zone,
  appended_at timestamp with time zone not null,
  settled_at timestamp with time zone default now() not null
);
alter table sfsync.feed add constraint feed_pkey PRIMARY KEY ("position");

create table sfsync.feed_pending (
  id bigint generated always as identity not null,
  connection_id bigint not null,
  mapping_id bigint not null,
  sobject text not null,
  sfid character varying(18),
  record_id bigint,
  direction sfsync.feed_direction not null,
  op sfsync.outbox_op not null,
  changed jsonb default '{}'::jsonb not null,
  systemmodstamp timestamp(3) without time zone,
  appended_at timestamp with time zone default clock_timestamp() not null
);
CREATE TRIGGER feed_pending_notify AFTER INSERT ON sfsync.feed_pending FOR EACH STATEMENT EXECUTE FUNCTION sfsync.tg_feed_pending__notify();

create table sfsync.feed_state (
  only_row boolean default true not null,
  last_position bigint default 0 not null,
  pruned_through bigint default 0 not null
);
alter table sfsync.feed_state add constraint feed_state_only_row_check CHECK (only_row);
alter table sfsync.feed_state add constraint feed_state_pkey PRIMARY KEY (only_row);

create table sfsync.feed_subscribers (
  name text not null,
  position bigint not null,
  created_at timestamp with time zone default now() not null,
  acked_at timestamp with time zone
);
alter table sfsync.feed_subscribers add constraint feed_subscribers_name_check CHECK (name ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,62}$'::text);
alter table sfsync.feed_subscribers add constraint feed_subscribers_pkey PRIMARY KEY (name);

create table sfsync.heroku_connect_adoptions (
  mapping_id bigint not null,
  schema_name text not null,
  table_name text not null,
  adopted_at timestamp with time zone default now() not null,
  watermark_from timestamp with time zone,
  hc_triggers text[] default '{}'::text[] not null
);
alter table sfsync.heroku_connect_adoptions add constraint heroku_connect_adoptions_mapping_id_fkey FOREIGN KEY (mapping_id) REFERENCES sfsync.mappings(id) ON DELETE CASCADE;
alter table sfsync.heroku_connect_adoptions add constraint heroku_connect_adoptions_pkey PRIMARY KEY (mapping_id);
comment on table sfsync.heroku_connect_adoptions is 'Heroku Connect tables adopted by sfsync adopt heroku-connect: when, the watermark polling started from, and the dropped Heroku Connect trigger definitions.';

create table sfsync.heroku_connect_log_entries (
  schema_name text not null,
  log_id integer not null,
  mapping_id bigint not null,
  outbox_id bigint,
  state_was text not null,
  taken_at timestamp with time zone default now() not null
);
alter table sfsync.heroku_connect_log_entries add constraint heroku_connect_log_entries_mapping_id_fkey FOREIGN KEY (mapping_id) REFERENCES sfsync.mappings(id) ON DELETE CASCADE;
alter table sfsync.heroku_connect_log_entries add constraint heroku_connect_log_entries_pkey PRIMARY KEY (schema_name, log_id);
comment on table sfsync.heroku_connect_log_entries is 'Heroku Connect trigger log entries sfsync took over: the outbox row each became (null when nothing was left to send) and its state then.';

create table sfsync.mappings (
  id bigint generated always as identity not null,
  connection_id bigint not null,
  sobject text not null,
  schema_name text default 'salesforce'::text not null,
  table_name text not null,
  fields text[] not null,
  field_info jsonb default '[]'::jsonb not null,
  mode text not null,
  external_id_field text,
  row_filter text,
  poll_interval interval default '00:00:30'::interval not null,
  drift_delay interval default '00:10:00'::interval not null,
  conflict_policy text default 'salesforce_wins'::text not null,
  streaming text default 'auto'::text not null,
  delete_mode text default 'delete'::text not null,
  state text default 'new'::text not null,
  last_error jsonb,
  watermark timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  compat text,
  event_channel text,
  event_field text,
  max_daily_api_calls integer
);
alter table sfsync.mappings add constraint mappings_compat_check CHECK (compat = 'heroku-connect'::text);
alter table sfsync.mappings add constraint mappings_conflict_policy_check CHECK (conflict_policy = ANY (ARRAY['salesforce_wins'::text, 'postgres_wins'::text, 'newest_wins'::text]));
alter table sfsync.mappings add constraint mappings_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES sfsync.connections(id) ON DELETE RESTRICT;
alter table sfsync.mappings add constraint mappings_connection_id_sobject_key UNIQUE (connection_id, sobject);
alter table sfsync.mappings add constraint mappings_delete_mode_check CHECK (delete_mode = ANY (ARRAY['delete'::text, 'mark'::text]));
alter table sfsync.mappings add constraint mappings_drift_delay_check CHECK (drift_delay >= '00:00:00'::interval);
alter table sfsync.mappings add constraint mappings_event_channel_check CHECK (event_channel ~ '^[A-Za-z][A-Za-z0-9_]{0,76}__e$'::text);
alter table sfsync.mappings add constraint mappings_event_field_check CHECK (event_field ~ '^[A-Za-z][A-Za-z0-9_]{0,79}$'::text);
alter table sfsync.mappings add constraint mappings_event_field_named CHECK ((event_channel IS NULL) = (event_field IS NULL));
alter table sfsync.mappings add constraint mappings_fields_check CHECK (cardinality(fields) > 0);
alter table sfsync.mappings add constraint mappings_max_daily_api_calls_positive CHECK (max_daily_api_calls > 0);
alter table sfsync.mappings add constraint mappings_mode_check CHECK (mode = ANY (ARRAY['read_only'::text, 'read_write'::text]));
alter table sfsync.mappings add constraint mappings_pkey PRIMARY KEY (id);
alter table sfsync.mappings add constraint mappings_poll_interval_check CHECK (poll_interval >= '00:00:01'::interval);
alter table sfsync.mappings add constraint mappings_schema_name_check CHECK (octet_length(schema_name) >= 1 AND octet_length(schema_name) <= 40);
alter table sfsync.mappings add constraint mappings_schema_name_table_name_key UNIQUE (schema_name, table_name);
alter table sfsync.mappings add constraint mappings_schema_not_reserved CHECK ((schema_name <> ALL (ARRAY['sfsync'::text, 'graphile_worker'::text, 'information_schema'::text])) AND schema_name !~ '^pg_'::text);
alter table sfsync.mappings add constraint mappings_sobject_check CHECK (sobject ~ '^[A-Za-z][A-Za-z0-9_]{0,79}$'::text);
alter table sfsync.mappings add constraint mappings_state_check CHECK (state = ANY (ARRAY['new'::text, 'loading'::text, 'active'::text, 'paused'::text, 'error'::text]));
alter table sfsync.mappings add constraint mappings_streaming_check CHECK (streaming = ANY (ARRAY['auto'::text, 'cdc'::text, 'pushtopic'::text, 'off'::text]));
alter table sfsync.mappings add constraint mappings_table_name_check CHECK (octet_length(table_name) >= 1 AND octet_length(table_name) <= 40);
CREATE TRIGGER tg_mappings__delete_outbox AFTER DELETE ON sfsync.mappings FOR EACH ROW EXECUTE FUNCTION sfsync.delete_mapping_outbox();
CREATE TRIGGER tg_mappings__notify AFTER INSERT OR UPDATE OF fields, mode, external_id_field, schema_name, table_name, compat ON sfsync.mappings FOR EACH ROW EXECUTE FUNCTION sfsync.notify_mapping_change();
comment on column sfsync.mappings.event_channel is 'Platform Event (X__e) whose events name records of this mapping to fetch and apply; null: none.';
comment on column sfsync.mappings.event_field is 'Field of the event holding one record Id, or several separated by commas, spaces or semicolons.';
comment on column sfsync.mappings.max_daily_api_calls is 'Daily cap on this mapping''s poll calls (Heroku Connect''s sf_max_daily_api_calls); null: none. Polls stop for the day at the cap.';

create table sfsync.migrations (
  id integer not null,
  name character varying(100) not null,
  hash character varying(40) not null,
  executed_at timestamp without time zone default CURRENT_TIMESTAMP
);
alter table sfsync.migrations add constraint migrations_name_key UNIQUE (name);
alter table sfsync.migrations add constraint migrations_pkey PRIMARY KEY (id);

create table sfsync.outbox (
  id bigint generated always as identity not null,
  mapping_id bigint not null,
  record_id bigint not null,
  sfid character varying(18),
  op sfsync.outbox_op not null,
  changed jsonb default '{}'::jsonb not null,
  old jsonb,
  txid xid8 default pg_current_xact_id() not null,
  state sfsync.outbox_state default 'new'::sfsync.outbox_state not null,
  attempts integer default 0 not null,
  next_attempt_at timestamp with time zone default now() not null,
  claimed_by text,
  claimed_at timestamp with time zone,
  error jsonb,
  created_at timestamp with time zone default clock_timestamp() not null,
  done_at timestamp with time zone,
  claimed_pid integer,
  unknown_since timestamp with time zone
);
alter table sfsync.outbox add constraint outbox_pkey PRIMARY KEY (id);
CREATE INDEX outbox_live ON sfsync.outbox USING btree (mapping_id, state, record_id, id) WHERE (state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state, 'failed'::sfsync.outbox_state]));

create table sfsync.outbox_inserts (
  id bigint default nextval('sfsync.outbox_id_seq'::regclass) not null,
  mapping_id bigint not null,
  record_id bigint not null,
  txid xid8 default pg_current_xact_id() not null,
  created_at timestamp with time zone default clock_timestamp() not null
);
comment on table sfsync.outbox_inserts is 'Inserts captured but not yet moved into the outbox (ids only; sfsync.drain_inserts moves them with the row''s values). No index: every captured row costs the application''s transaction as little as possible.';

create table sfsync.outbox_updates (
  id bigint default nextval('sfsync.outbox_id_seq'::regclass) not null,
  mapping_id bigint not null,
  record_id bigint not null,
  old text[] not null,
  sfsync_write boolean default false not null,
  txid xid8 default pg_current_xact_id() not null,
  created_at timestamp with time zone default clock_timestamp() not null
);
comment on table sfsync.outbox_updates is 'Updates captured but not yet moved into the outbox: each row''s mapped writable columns as text, as they were before the UPDATE (sfsync.drain_updates moves them). No index: every captured row costs the application''s transaction as little as possible.';
comment on column sfsync.outbox_updates.old is 'The row''s mapped writable columns before the UPDATE, as text, in the order of the capture function that logged it (field_info''s writable fields then).';
comment on column sfsync.outbox_updates.sfsync_write is 'The image before one of sfsync''s own writes: it ends the change logged before it and sends nothing.';

create table sfsync.poll_windows (
  id bigint generated always as identity not null,
  mapping_id bigint not null,
  kind text not null,
  lower timestamp with time zone not null,
  upper timestamp with time zone not null,
  api text,
  records_seen integer default 0 not null,
  records_applied integer default 0 not null,
  drift_fixed integer default 0 not null,
  api_calls integer default 0 not null,
  outcome text default 'running'::text not null,
  error jsonb,
  secondary_due_at timestamp with time zone,
  started_at timestamp with time zone default clock_timestamp() not null,
  finished_at timestamp with time zone,
  records_failed integer default 0 not null,
  records_expected integer
);
alter table sfsync.poll_windows add constraint poll_windows_api_check CHECK (api = ANY (ARRAY['rest'::text, 'bulk'::text]));
alter table sfsync.poll_windows add constraint poll_windows_check CHECK (lower < upper);
alter table sfsync.poll_windows add constraint poll_windows_kind_check CHECK (kind = ANY (ARRAY['primary'::text, 'secondary'::text, 'reload'::text, 'reconcile'::text]));
alter table sfsync.poll_windows add constraint poll_windows_mapping_id_fkey FOREIGN KEY (mapping_id) REFERENCES sfsync.mappings(id) ON DELETE CASCADE;
alter table sfsync.poll_windows add constraint poll_windows_outcome_check CHECK (outcome = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text]));
alter table sfsync.poll_windows add constraint poll_windows_pkey PRIMARY KEY (id);
CREATE INDEX poll_windows_recent ON sfsync.poll_windows USING btree (mapping_id, kind, upper DESC);
CREATE INDEX poll_windows_secondary_due ON sfsync.poll_windows USING btree (secondary_due_at) WHERE ((kind = 'primary'::text) AND (secondary_due_at IS NOT NULL));

create table sfsync.stream_state (
  connection_id bigint not null,
  channel text not null,
  replay_id bigint,
  updated_at timestamp with time zone default now() not null,
  pending_replay_id bigint,
  pending_at timestamp with time zone
);
alter table sfsync.stream_state add constraint stream_state_channel_check CHECK (channel ~ '^/'::text);
alter table sfsync.stream_state add constraint stream_state_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES sfsync.connections(id) ON DELETE CASCADE;
alter table sfsync.stream_state add constraint stream_state_pkey PRIMARY KEY (connection_id, channel);

-- columns: connection text, api_usage integer, api_limit integer, api_budget_share real, api_budget integer, budget_used_pct numeric, governor text, api_usage_at timestamp with time zone
create view sfsync.api_budget as
 SELECT name AS connection,
    api_usage,
    api_limit,
    api_budget_share,
    floor(api_limit::double precision * api_budget_share)::integer AS api_budget,
        CASE
            WHEN api_limit > 0 AND api_usage IS NOT NULL THEN round(((100 * api_usage)::double precision / (api_limit::double precision * api_budget_share))::numeric, 1)
            ELSE NULL::numeric
        END AS budget_used_pct,
    governor,
    api_usage_at
   FROM sfsync.connections c;
comment on view sfsync.api_budget is 'Per connection: the org''s API usage today as last reported, the budget (a share of its daily limit), the share used and the governor''s state.';

-- columns: worker_pool_id text, pid integer, backend_start timestamp with time zone, process_name text, started_at timestamp with time zone
create view sfsync.dead_engines as
 SELECT worker_pool_id,
    pid,
    backend_start,
    process_name,
    started_at
   FROM sfsync.engines e
  WHERE NOT (EXISTS ( SELECT 1
           FROM pg_stat_activity a
          WHERE a.pid = e.pid AND (a.backend_start IS NULL OR a.backend_start = e.backend_start)));

-- columns: id bigint, mapping_id bigint, sobject text, schema_name text, table_name text, record_id bigint, sfid character varying(18), op text, changed jsonb, error_code text, error_message text, error jsonb, attempts integer, created_at timestamp with time zone, failed_at timestamp with time zone, connection text
create view sfsync.failed_changes as
 SELECT ob.id,
    ob.mapping_id,
    m.sobject,
    m.schema_name,
    m.table_name,
    ob.record_id,
    ob.sfid,
    ob.op::text AS op,
    ob.changed,
    ob.error ->> 'code'::text AS error_code,
    ob.error ->> 'message'::text AS error_message,
    ob.error,
    ob.attempts,
    ob.created_at,
    ob.done_at AS failed_at,
    c.name AS connection
   FROM sfsync.outbox ob
     JOIN sfsync.mappings m ON m.id = ob.mapping_id
     JOIN sfsync.connections c ON c.id = m.connection_id
  WHERE ob.state = 'failed'::sfsync.outbox_state;
comment on view sfsync.failed_changes is 'Changes Salesforce refused permanently (validation rule, required field …), with its error code and message.';

-- columns: name text, position bigint, behind bigint, lost boolean, acked_at timestamp with time zone
create view sfsync.feed_lag as
 SELECT s.name,
    s."position",
    st.last_position - s."position" AS behind,
    s."position" < st.pruned_through AS lost,
    s.acked_at
   FROM sfsync.feed_subscribers s
     CROSS JOIN sfsync.feed_state st;

-- columns: mapping_id bigint, connection text, sobject text, schema_name text, table_name text, mode text, state text, watermark timestamp with time zone, last_poll_at timestamp with time zone, last_poll_outcome text, pull_lag interval, push_lag interval, pending_changes bigint, failed_changes bigint, api_calls_today bigint, api_usage integer, api_limit integer, api_usage_at timestamp with time zone, last_error jsonb
create view sfsync.mapping_status as
 SELECT m.id AS mapping_id,
    c.name AS connection,
    m.sobject,
    m.schema_name,
    m.table_name,
    m.mode,
    m.state,
    m.watermark,
    lp.started_at AS last_poll_at,
    lp.outcome AS last_poll_outcome,
        CASE
            WHEN m.watermark IS NULL THEN NULL::interval
            ELSE GREATEST(now() - m.watermark, '00:00:00'::interval)
        END AS pull_lag,
    now() - o.oldest_open_at AS push_lag,
    COALESCE(o.pending, 0::bigint) AS pending_changes,
    COALESCE(o.failed, 0::bigint) AS failed_changes,
    COALESCE(w.api_calls_today, 0::bigint) AS api_calls_today,
    c.api_usage,
    c.api_limit,
    c.api_usage_at,
    m.last_error
   FROM sfsync.mappings m
     JOIN sfsync.connections c ON c.id = m.connection_id
     LEFT JOIN LATERAL ( SELECT pw.started_at,
            pw.outcome
           FROM sfsync.poll_windows pw
          WHERE pw.mapping_id = m.id AND pw.kind = 'primary'::text
          ORDER BY pw.upper DESC
         LIMIT 1) lp ON true
     LEFT JOIN LATERAL ( SELECT count(*) FILTER (WHERE ob.state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state])) AS pending,
            count(*) FILTER (WHERE ob.state = 'failed'::sfsync.outbox_state) AS failed,
            min(ob.created_at) FILTER (WHERE ob.state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state])) AS oldest_open_at
           FROM ( SELECT x.state,
                    x.created_at
                   FROM sfsync.outbox x
                  WHERE x.mapping_id = m.id AND (x.state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state, 'failed'::sfsync.outbox_state]))
                UNION ALL
                 SELECT 'new'::sfsync.outbox_state AS outbox_state,
                    l.created_at
                   FROM sfsync.outbox_logged l
                  WHERE l.mapping_id = m.id) ob) o ON true
     LEFT JOIN LATERAL ( SELECT sum(pw.api_calls) AS api_calls_today
           FROM sfsync.poll_windows pw
          WHERE pw.mapping_id = m.id AND pw.started_at >= date_trunc('day'::text, now())) w ON true;
comment on view sfsync.mapping_status is 'Per mapping: state, last poll, pull and push lag, pending and failed changes, API usage. What `sfsync status` prints.';

-- columns: mapping_id bigint, schema_name text, table_name text, record_id bigint, sfid character varying, ops text[], in_flight boolean, waiting_since timestamp with time zone, attempts integer, next_attempt_at timestamp with time zone, last_error jsonb, connection text
create view sfsync.open_changes as
 SELECT ob.mapping_id,
    m.schema_name,
    m.table_name,
    ob.record_id,
    (array_agg(ob.sfid ORDER BY ob.id DESC) FILTER (WHERE ob.sfid IS NOT NULL))[1] AS sfid,
    array_agg(ob.op::text ORDER BY ob.id) AS ops,
    bool_or(ob.state = 'claimed'::sfsync.outbox_state) AS in_flight,
    min(ob.created_at) AS waiting_since,
    max(ob.attempts) AS attempts,
    max(ob.next_attempt_at) FILTER (WHERE ob.state = 'new'::sfsync.outbox_state AND ob.attempts > 0) AS next_attempt_at,
    (array_agg(ob.error ORDER BY ob.id DESC) FILTER (WHERE ob.error IS NOT NULL))[1] AS last_error,
    c.name AS connection
   FROM ( SELECT x.id,
            x.mapping_id,
            x.record_id,
            x.sfid,
            x.op,
            x.state,
            x.created_at,
            x.attempts,
            x.next_attempt_at,
            x.error
           FROM sfsync.outbox x
          WHERE x.state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state])
        UNION ALL
         SELECT l.id,
            l.mapping_id,
            l.record_id,
            NULL::character varying,
            l.op,
            'new'::sfsync.outbox_state,
            l.created_at,
            0,
            l.created_at,
            NULL::jsonb
           FROM sfsync.outbox_logged l) ob
     JOIN sfsync.mappings m ON m.id = ob.mapping_id
     JOIN sfsync.connections c ON c.id = m.connection_id
  GROUP BY ob.mapping_id, m.schema_name, m.table_name, ob.record_id, c.name;
comment on view sfsync.open_changes is 'Per mapped row with changes still to be sent: their ops in order, whether one is in flight, since when it waits, retries, the next attempt and the last error (e.g. WAITING_FOR_PARENT). Join to the table on record_id = id.';

-- columns: id bigint, mapping_id bigint, record_id bigint, op sfsync.outbox_op, created_at timestamp with time zone
create view sfsync.outbox_logged as
 SELECT l.id,
    l.mapping_id,
    l.record_id,
    'insert'::sfsync.outbox_op AS op,
    l.created_at
   FROM sfsync.outbox_inserts l
UNION ALL
 SELECT u.id,
    u.mapping_id,
    u.record_id,
    'update'::sfsync.outbox_op AS op,
    u.created_at
   FROM sfsync.outbox_updates u
  WHERE NOT u.sfsync_write;
comment on view sfsync.outbox_logged is 'Inserts and updates captured but not yet moved into the outbox (sfsync.outbox_inserts, sfsync.outbox_updates).';

-- columns: mapping_id bigint, sobject text, schema_name text, table_name text, pending bigint, failed bigint, oldest_pending_age interval, last_error jsonb, push_paused_until timestamp with time zone, connection text
create view sfsync.outbox_status as
 SELECT m.id AS mapping_id,
    m.sobject,
    m.schema_name,
    m.table_name,
    COALESCE(o.pending, 0::bigint) AS pending,
    COALESCE(o.failed, 0::bigint) AS failed,
    now() - o.oldest_pending_at AS oldest_pending_age,
    e.error AS last_error,
    c.push_paused_until,
    c.name AS connection
   FROM sfsync.mappings m
     JOIN sfsync.connections c ON c.id = m.connection_id
     LEFT JOIN LATERAL ( SELECT count(*) FILTER (WHERE ob.state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state])) AS pending,
            count(*) FILTER (WHERE ob.state = 'failed'::sfsync.outbox_state) AS failed,
            min(ob.created_at) FILTER (WHERE ob.state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state])) AS oldest_pending_at
           FROM ( SELECT x.state,
                    x.created_at
                   FROM sfsync.outbox x
                  WHERE x.mapping_id = m.id AND (x.state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state, 'failed'::sfsync.outbox_state]))
                UNION ALL
                 SELECT 'new'::sfsync.outbox_state AS outbox_state,
                    l.created_at
                   FROM sfsync.outbox_logged l
                  WHERE l.mapping_id = m.id) ob) o ON true
     LEFT JOIN LATERAL ( SELECT ob.error
           FROM sfsync.outbox ob
          WHERE ob.mapping_id = m.id AND (ob.state = ANY (ARRAY['new'::sfsync.outbox_state, 'claimed'::sfsync.outbox_state, 'failed'::sfsync.outbox_state])) AND ob.error IS NOT NULL
          ORDER BY ob.id DESC
         LIMIT 1) e ON true;
comment on view sfsync.outbox_status is 'Per mapping: changes waiting (new/claimed), failed, the oldest waiting change''s age, the last error, and an API-limit pause.';

-- columns: id bigint, mapping_id bigint, sobject text, sfid character varying(18), field text, pg_value jsonb, sf_value jsonb, policy text, decision text, decided_at timestamp with time zone
create view sfsync.recent_conflicts as
 SELECT cf.id,
    cf.mapping_id,
    m.sobject,
    cf.sfid,
    cf.field,
    cf.pg_value,
    cf.sf_value,
    cf.policy,
    cf.decision,
    cf.decided_at
   FROM sfsync.conflicts cf
     JOIN sfsync.mappings m ON m.id = cf.mapping_id
  WHERE cf.decided_at > (now() - '7 days'::interval)
  ORDER BY cf.decided_at DESC;
comment on view sfsync.recent_conflicts is 'Conflicts decided in the last 7 days: the field, both values, the policy and which side won.';

-- columns: id bigint, mapping_id bigint, sobject text, kind text, lower timestamp with time zone, upper timestamp with time zone, api text, records_seen integer, records_applied integer, drift_fixed integer, api_calls integer, outcome text, error jsonb, started_at timestamp with time zone, finished_at timestamp with time zone, duration interval
create view sfsync.recent_windows as
 SELECT pw.id,
    pw.mapping_id,
    m.sobject,
    pw.kind,
    pw.lower,
    pw.upper,
    pw.api,
    pw.records_seen,
    pw.records_applied,
    pw.drift_fixed,
    pw.api_calls,
    pw.outcome,
    pw.error,
    pw.started_at,
    pw.finished_at,
    pw.finished_at - pw.started_at AS duration
   FROM sfsync.poll_windows pw
     JOIN sfsync.mappings m ON m.id = pw.mapping_id
  WHERE pw.started_at > (now() - '24:00:00'::interval)
  ORDER BY pw.started_at DESC;
comment on view sfsync.recent_windows is 'Poll windows (primary, secondary, reload, reconcile) started in the last 24 hours, newest first.';

CREATE OR REPLACE FUNCTION sfsync.adopt_heroku_connect(p_schema text, p_force boolean DEFAULT false, p_quiet interval DEFAULT '00:10:00'::interval)
 RETURNS TABLE(mapping_id bigint, table_name text, moved integer, failed integer, dropped_triggers integer, watermark timestamp with time zone)
 LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
declare
  reason text;
  tables text[];
  t text;
  m sfsync.mappings;
  e record;
  ob bigint;
  changed jsonb;
  old jsonb;
  row_sfid text;
  defs text[];
  names text[];
  newest timestamp;
  code text;
begin
  if p_schema is null then
    raise exception 'sfsync.adopt_heroku_connect: p_schema is null; pass the schema Heroku Connect syncs into, e.g. ''salesforce'''
      using errcode = 'null_value_not_allowed';
  end if;
  if p_quiet is null or p_quiet < interval '0' then
    raise exception 'sfsync.adopt_heroku_connect: p_quiet % is not a duration; pass how long Heroku Connect must have been idle, e.g. ''10 minutes'' (the default)', coalesce(p_quiet::text, 'null')
      using errcode = case when p_quiet is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  if to_regclass(format('%I._trigger_log', p_schema)) is null then
    raise exception 'sfsync.adopt_heroku_connect: schema % has no Heroku Connect trigger log (_trigger_log); pass the schema Heroku Connect syncs into (--schema)', p_schema
      using errcode = 'no_data_found';
  end if;
  if not coalesce(p_force, false) then
    reason := sfsync.heroku_connect_activity(p_schema, p_quiet);
    if reason is not null then
      raise exception 'Heroku Connect still writes to this database (%); pause or remove its connection first, or pass --force (p_force => true)', reason
        using errcode = 'object_in_use';
    end if;
  end if;
  tables := array(select sfsync.heroku_connect_tables(p_schema));
  foreach t in array tables loop
    if not exists (select 1 from sfsync.mappings mm where mm.schema_name = p_schema and mm.table_name = t and mm.field_info <> '[]') then
      raise exception 'sfsync.adopt_heroku_connect: %.% has no applied sfsync mapping; run `sfsync adopt heroku-connect` (it maps every Heroku Connect table) or map it with `sfsync map` first', p_schema, t
        using errcode = 'no_data_found';
    end if;
    -- Writers wait from here to the commit (the capture triggers' creation took this lock already).
    execute format('lock table %I.%I in share row exclusive mode', p_schema, t);
  end loop;
  execute format('lock table %I._trigger_log in exclusive mode', p_schema);
  -- sfsync's own statements below (the rows' states) are not captured.
  perform set_config('sfsync.origin', 'adopt', true);
  foreach t in array tables loop
    select * into m from sfsync.mappings mm where mm.schema_name = p_schema and mm.table_name = t;
    select array_agg(pg_get_triggerdef(tg.oid) order by tg.tgname), array_agg(tg.tgname::text order by tg.tgname) into defs, names
      from pg_trigger tg
     where tg.tgrelid = format('%I.%I', p_schema, t)::regclass and not tg.tgisinternal
       and tg.tgname in (format('hc_%s_logtrigger', t), format('hc_%s_status_trigger', t));
    foreach code in array coalesce(names, '{}') loop
      execute format('drop trigger %I on %I.%I', code, p_schema, t);
    end loop;
    if not exists (select 1 from sfsync.heroku_connect_adoptions a where a.mapping_id = m.id) then
      -- Rows never sent wait for a push; rows Heroku Connect failed are failed.
      execute format($q$update %I.%I set _sfsync_state = 'pending' where sfid is null$q$, p_schema, t);
      execute format($q$update %I.%I set _sfsync_state = 'failed',
                         _sfsync_error = jsonb_build_object('code', 'HEROKU_CONNECT_FAILED', 'message', coalesce(_hc_err, 'failed in Heroku Connect'))
                       where _hc_lastop = 'FAILED'$q$, p_schema, t);
      execute format('select max(systemmodstamp) from %I.%I', p_schema, t) into newest;
      insert into sfsync.heroku_connect_adoptions (mapping_id, schema_name, table_name, watermark_from, hc_triggers)
      values (m.id, p_schema, t, newest at time zone 'UTC', coalesce(defs, '{}'));
      if newest is not null then
        -- Polling starts where Heroku Connect's data ends; the reconcile checks every record.
        update sfsync.mappings mm set watermark = newest at time zone 'UTC', state = 'active', updated_at = now()
         where mm.id = m.id and mm.state = 'new';
        perform sfsync.request_reconcile(m.id::text);
      end if;
    elsif defs is not null then
      update sfsync.heroku_connect_adoptions a set hc_triggers = a.hc_triggers || defs where a.mapping_id = m.id;
    end if;
    mapping_id := m.id;
    table_name := t;
    moved := 0;
    failed := 0;
    dropped_triggers := coalesce(cardinality(defs), 0);
    select mm.watermark into watermark from sfsync.mappings mm where mm.id = m.id;
    -- Unsent entries, in log order, with their values; PENDING ones may have
    -- reached Salesforce already, so their outcome is unknown (looked up first).
    for e in execute format($q$select l.id, l.state, l.action, l.record_id, l.sfid, l.old as old_text, l."values" as new_text, l.updated_at, l.processed_at, l.sf_message from %I._trigger_log l
                               where l.table_name = $1 and l.state in ('NEW', 'PENDING', 'REQUEUE')
                                 and not exists (select 1 from sfsync.heroku_connect_log_entries x where x.schema_name = $2 and x.log_id = l.id)
                               order by l.id$q$, p_schema) using t, p_schema
    loop
      ob := null;
      changed := sfsync.heroku_connect_values(m, e.new_text, e.action = 'INSERT');
      old := sfsync.heroku_connect_values(m, e.old_text, false);
      execute format('select sfid from %I.%I where id = $1', p_schema, t) into row_sfid using e.record_id;
      if e.action = 'DELETE' or changed <> '{}'::jsonb then
        insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old, unknown_since)
        values (m.id, e.record_id, coalesce(e.sfid, row_sfid), lower(e.action)::sfsync.outbox_op,
                case when e.action = 'DELETE' then '{}' else changed end,
                case when e.action = 'UPDATE' then old - array(select jsonb_object_keys(old) except select jsonb_object_keys(changed)) end,
                case when e.state = 'PENDING' then coalesce(e.updated_at, now()) end)
        returning id into ob;
        moved := moved + 1;
      end if;
      insert into sfsync.heroku_connect_log_entries (schema_name, log_id, mapping_id, outbox_id, state_was) values (p_schema, e.id, m.id, ob, e.state);
      -- Heroku Connect, were it resumed, must not send it a second time.
      -- processed_at stays as it was: it tells when Heroku Connect itself last worked (heroku_connect_activity).
      execute format($q$update %I._trigger_log set state = 'IGNORED', updated_at = now(), sf_message = $2 where id = $1$q$, p_schema)
        using e.id, coalesce('moved to sfsync.outbox ' || ob, 'taken over by sfsync: nothing left to send');
    end loop;
    -- Failed entries no later success of the same record made good: failed changes, with Heroku Connect's message.
    for e in execute format($q$select l.id, l.state, l.action, l.record_id, l.sfid, l.old as old_text, l."values" as new_text, l.updated_at, l.processed_at, l.sf_message from %I._trigger_log l
                               where l.table_name = $1 and l.state = 'FAILED'
                                 and not exists (select 1 from %I._trigger_log s where s.table_name = l.table_name and s.record_id = l.record_id
                                                    and s.id > l.id and s.state in ('SUCCESS', 'MERGED'))
                                 and not exists (select 1 from sfsync.heroku_connect_log_entries x where x.schema_name = $2 and x.log_id = l.id)
                               order by l.id$q$, p_schema, p_schema) using t, p_schema
    loop
      changed := sfsync.heroku_connect_values(m, e.new_text, e.action = 'INSERT');
      execute format('select sfid from %I.%I where id = $1', p_schema, t) into row_sfid using e.record_id;
      code := coalesce(substring(e.sf_message from '^([A-Z][A-Z_]+):'), 'HEROKU_CONNECT_FAILED');
      insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, state, attempts, error, done_at)
      values (m.id, e.record_id, coalesce(e.sfid, row_sfid), lower(e.action)::sfsync.outbox_op, case when e.action = 'DELETE' then '{}' else changed end,
              'failed', 1,
              jsonb_build_object('code', code, 'message', coalesce(e.sf_message, 'failed in Heroku Connect'), 'source', 'heroku-connect', 'triggerLogId', e.id),
              coalesce(e.processed_at, now()))
      returning id into ob;
      insert into sfsync.heroku_connect_log_entries (schema_name, log_id, mapping_id, outbox_id, state_was) values (p_schema, e.id, m.id, ob, e.state);
      failed := failed + 1;
    end loop;
    if moved > 0 then
      perform pg_notify('sfsync:outbox', m.id::text);
    end if;
    return next;
  end loop;
  perform set_config('sfsync.origin', '', true);
end;
$function$;
comment on function sfsync.adopt_heroku_connect(p_schema text, p_force boolean, p_quiet interval) is 'Adopt the Heroku Connect tables of a schema whose sfsync mappings exist: drop its triggers, move unsent log entries to the outbox in order, record failed ones, start polling at the newest systemmodstamp. Idempotent.';

CREATE OR REPLACE FUNCTION sfsync.check_failed_selection(p_fn text, p_mapping_id bigint, p_outbox_ids bigint[], p_all boolean, p_missing_ok boolean)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
declare
  v_missing bigint[];
begin
  if coalesce(p_all, false) then
    if p_mapping_id is not null or p_outbox_ids is not null then
      raise exception 'sfsync.%: all_failed => true already selects every failed change; pass it alone, or drop it to select by p_mapping_id or p_outbox_ids', p_fn
        using errcode = 'invalid_parameter_value';
    end if;
    return;
  end if;
  if p_mapping_id is null and p_outbox_ids is null then
    raise exception 'sfsync.%: no failed change selected (null never means all); pass p_outbox_ids => array[…], p_mapping_id => …, or all_failed => true for every failed change', p_fn
      using errcode = 'null_value_not_allowed';
  end if;
  if p_mapping_id is not null and not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.%: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_fn, p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if p_outbox_ids is null then
    return;
  end if;
  if exists (select 1 from unnest(p_outbox_ids) i where i is null) then
    raise exception 'sfsync.%: p_outbox_ids holds a null; pass only ids of failed changes (select id from sfsync.failed_changes)', p_fn
      using errcode = 'null_value_not_allowed';
  end if;
  if coalesce(p_missing_ok, false) then
    return;
  end if;
  if cardinality(p_outbox_ids) = 0 then
    raise exception 'sfsync.%: p_outbox_ids is empty, which selects nothing (never all); pass ids from sfsync.failed_changes, or all_failed => true for every failed change', p_fn
      using errcode = 'invalid_parameter_value';
  end if;
  perform 1 from sfsync.outbox o where o.id = any (p_outbox_ids) order by o.id for update;
  select array_agg(x.i order by x.i) into v_missing
    from (select distinct i from unnest(p_outbox_ids) i) x
   where not exists (select 1 from sfsync.outbox o
                      where o.id = x.i and o.state = 'failed' and (p_mapping_id is null or o.mapping_id = p_mapping_id));
  if v_missing is not null then
    raise exception 'sfsync.%: outbox ids % are not failed changes%; pass ids listed by sfsync.failed_changes (`sfsync errors`), or missing_ok => true to skip them', p_fn, v_missing,
      case when p_mapping_id is null then '' else ' of mapping ' || p_mapping_id end
      using errcode = 'no_data_found';
  end if;
end;
$function$;
comment on function sfsync.check_failed_selection(p_fn text, p_mapping_id bigint, p_outbox_ids bigint[], p_all boolean, p_missing_ok boolean) is 'Raise unless retry_failed/discard_failed were given ids, a mapping or all_failed => true, all of which exist.';

CREATE OR REPLACE FUNCTION sfsync.claim_outbox(p_mapping_id bigint, p_claimed_by text, p_limit integer)
 RETURNS SETOF sfsync.outbox
 LANGUAGE plpgsql
AS $function$
declare
  v_records bigint[];
begin
  if p_mapping_id is null then
    raise exception 'sfsync.claim_outbox: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if coalesce(p_claimed_by, '') = '' then
    raise exception 'sfsync.claim_outbox: p_claimed_by is null or empty; name the claimer (a failing push hands its claims back by that name)'
      using errcode = case when p_claimed_by is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  if p_limit is null or p_limit <= 0 then
    raise exception 'sfsync.claim_outbox: p_limit % is not a positive number; pass how many records to claim, e.g. 1000', coalesce(p_limit::text, 'null')
      using errcode = case when p_limit is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  if not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.claim_outbox: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  perform pg_advisory_xact_lock(1599864836, p_mapping_id::integer);
  perform sfsync.drain_changes(p_mapping_id);
  select array_agg(record_id) into v_records from (
    select o.record_id
    from sfsync.outbox o
    where o.mapping_id = p_mapping_id and o.state = 'new'
      and o.record_id not in (select l.record_id from sfsync.outbox_inserts l where l.mapping_id = p_mapping_id)
    group by o.record_id
    having bool_and(o.next_attempt_at <= now())
       and not exists (select 1 from sfsync.outbox p
                        where p.mapping_id = p_mapping_id and p.record_id = o.record_id and p.state = 'claimed')
    order by min(o.id)
    limit p_limit
  ) chosen;
  if v_records is null then
    return;
  end if;
  return query
  update sfsync.outbox o
     set state = 'claimed', claimed_by = p_claimed_by, claimed_at = now(), claimed_pid = pg_backend_pid()
   where o.mapping_id = p_mapping_id and o.record_id = any (v_records) and o.state = 'new'
     and o.record_id not in (select l.record_id from sfsync.outbox_inserts l where l.mapping_id = p_mapping_id)
  returning o.*;
end;
$function$;
comment on function sfsync.claim_outbox(p_mapping_id bigint, p_claimed_by text, p_limit integer) is 'Claim (state claimed) every due new change of up to p_limit records of a mapping, oldest first; records with a change in flight are skipped.';

CREATE OR REPLACE FUNCTION sfsync.claim_waiting_children(p_mapping_id bigint, p_claimed_by text, p_fields text[], p_values text[], p_limit integer)
 RETURNS SETOF sfsync.outbox
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
declare
  v_candidates bigint[];
  v_records bigint[];
begin
  if p_mapping_id is null or coalesce(p_claimed_by, '') = '' or p_fields is null or p_values is null then
    raise exception 'sfsync.claim_waiting_children: pass the child mapping id, the claimer name, the reference fields and the @<id> values'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_limit is null or p_limit <= 0 then
    raise exception 'sfsync.claim_waiting_children: p_limit % is not a positive number; pass how many records to claim at most, e.g. 10000', coalesce(p_limit::text, 'null')
      using errcode = case when p_limit is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  perform pg_advisory_xact_lock(1599864836, p_mapping_id::integer);
  perform sfsync.drain_changes(p_mapping_id);
  select array_agg(distinct n.record_id) into v_candidates
    from sfsync.outbox n
   where n.mapping_id = p_mapping_id and n.state = 'new' and n.op = 'insert'
     and exists (select 1 from unnest(p_fields) f where n.changed ->> f = any (p_values));
  if v_candidates is null then
    return;
  end if;
  select array_agg(record_id) into v_records from (
    select o.record_id
      from sfsync.outbox o
     where o.mapping_id = p_mapping_id and o.record_id = any (v_candidates) and o.state in ('new', 'claimed', 'failed')
       and o.record_id not in (select l.record_id from sfsync.outbox_inserts l where l.mapping_id = p_mapping_id)
     group by o.record_id
    having bool_and(o.state = 'new') and not bool_or(o.op = 'delete') and bool_and(o.unknown_since is null)
       and (array_agg(o.op order by o.id))[1] = 'insert'
     order by min(o.id)
     limit p_limit
  ) chosen;
  if v_records is null then
    return;
  end if;
  return query
  update sfsync.outbox o
     set state = 'claimed', claimed_by = p_claimed_by, claimed_at = now(), claimed_pid = pg_backend_pid()
   where o.mapping_id = p_mapping_id and o.record_id = any (v_records) and o.state = 'new'
     and o.record_id not in (select l.record_id from sfsync.outbox_inserts l where l.mapping_id = p_mapping_id)
  returning o.*;
end;
$function$;
comment on function sfsync.claim_waiting_children(p_mapping_id bigint, p_claimed_by text, p_fields text[], p_values text[], p_limit integer) is 'Claim, for a composite graph with their parents, the new never-sent inserts of a child mapping whose reference fields name one of p_values (@<id>).';

CREATE OR REPLACE FUNCTION sfsync.delete_mapping_outbox()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  delete from sfsync.outbox where mapping_id = OLD.id;
  delete from sfsync.outbox_inserts where mapping_id = OLD.id;
  delete from sfsync.outbox_updates where mapping_id = OLD.id;
  return null;
end;
$function$;

CREATE OR REPLACE FUNCTION sfsync.discard_failed(p_mapping_id bigint DEFAULT NULL::bigint, p_outbox_ids bigint[] DEFAULT NULL::bigint[], all_failed boolean DEFAULT false, missing_ok boolean DEFAULT false)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  perform sfsync.check_failed_selection('discard_failed', p_mapping_id, p_outbox_ids, all_failed, missing_ok);
  update sfsync.outbox f set state = 'ignored', done_at = now()
   where f.state = 'failed'
     and (p_mapping_id is null or f.mapping_id = p_mapping_id)
     and (p_outbox_ids is null or f.id = any (p_outbox_ids));
  get diagnostics n = row_count;
  return n;
end;
$function$;
comment on function sfsync.discard_failed(p_mapping_id bigint, p_outbox_ids bigint[], all_failed boolean, missing_ok boolean) is 'Give up on failed changes (the given outbox ids, one mapping''s, or all_failed => true): state ignored. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.drain_changes(p_mapping_id bigint, p_record_ids bigint[] DEFAULT NULL::bigint[])
 RETURNS integer
 LANGUAGE sql
AS $function$
  select sfsync.drain_inserts(p_mapping_id, p_record_ids) + sfsync.drain_updates(p_mapping_id, p_record_ids);
$function$;
comment on function sfsync.drain_changes(p_mapping_id bigint, p_record_ids bigint[]) is 'Move a mapping''s logged inserts and updates (all, or those of p_record_ids) into the outbox. Returns the outbox rows written.';

CREATE OR REPLACE FUNCTION sfsync.drain_inserts(p_mapping_id bigint, p_record_ids bigint[] DEFAULT NULL::bigint[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  v_map sfsync.mappings;
  v_values text;
  n integer;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.drain_inserts: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if not exists (select 1 from sfsync.outbox_inserts where mapping_id = p_mapping_id) then
    return 0;
  end if;
  select * into v_map from sfsync.mappings where id = p_mapping_id;
  if not found then
    raise exception 'sfsync.drain_inserts: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if to_regprocedure(format('%I.%I(bigint[])', v_map.schema_name, 'tg_' || v_map.table_name || '__drain_inserts')) is not null then
    execute format('select %I.%I($1)', v_map.schema_name, 'tg_' || v_map.table_name || '__drain_inserts') into n using p_record_ids;
    return n;
  end if;
  -- jsonb_build_object takes at most 100 arguments: 50 (field, value) pairs per call.
  select coalesce('jsonb_strip_nulls(' || string_agg(chunk, ' || ' order by part) || ')', '''{}''::jsonb') into v_values
    from (select (e.ord - 1) / 50 as part,
                 'jsonb_build_object(' || string_agg(format('%L, n.%I', e.f ->> 'name', e.f ->> 'column'), ', ' order by e.ord) || ')' as chunk
            from jsonb_array_elements(v_map.field_info) with ordinality as e(f, ord)
           where not coalesce((e.f ->> 'removed')::boolean, false)
             and not coalesce((e.f ->> 'calculated')::boolean, false)
             and (coalesce((e.f ->> 'createable')::boolean, false) or coalesce((e.f ->> 'updateable')::boolean, false))
           group by (e.ord - 1) / 50) chunks;
  execute format(
    'with moved as (
       delete from sfsync.outbox_inserts l
        where l.mapping_id = $1 and ($2::bigint[] is null or l.record_id = any ($2))
       returning l.id, l.record_id, l.txid, l.created_at)
     insert into sfsync.outbox (id, mapping_id, record_id, sfid, op, changed, txid, created_at, state, done_at)
     overriding system value
     select m.id, $1, m.record_id, n.sfid, ''insert'', case when n.id is null then ''{}''::jsonb else %s end,
            m.txid, m.created_at,
            case when n.id is null then ''ignored'' else ''new'' end::sfsync.outbox_state,
            case when n.id is null then now() end
       from moved m left join %I.%I n on n.id = m.record_id
      order by m.id',
    v_values, v_map.schema_name, v_map.table_name)
  using p_mapping_id, p_record_ids;
  get diagnostics n = row_count;
  return n;
end;
$function$;
comment on function sfsync.drain_inserts(p_mapping_id bigint, p_record_ids bigint[]) is 'Move a mapping''s logged inserts (all, or those of p_record_ids) into the outbox with the row''s current values. Returns the count. The claim runs it; an operator never needs to.';

CREATE OR REPLACE FUNCTION sfsync.drain_updates(p_mapping_id bigint, p_record_ids bigint[] DEFAULT NULL::bigint[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  v_map sfsync.mappings;
  v_drain regprocedure;
  n integer;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.drain_updates: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if not exists (select 1 from sfsync.outbox_updates where mapping_id = p_mapping_id) then
    return 0;
  end if;
  select * into v_map from sfsync.mappings where id = p_mapping_id;
  if not found then
    raise exception 'sfsync.drain_updates: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  v_drain := to_regprocedure(format('%I.%I(bigint[])', v_map.schema_name, 'tg_' || v_map.table_name || '__drain_updates'));
  if v_drain is null then
    raise exception 'sfsync.drain_updates: %.% has logged updates but no drain function tg_%__drain_updates; run `sfsync doctor --fix` to re-create it',
      v_map.schema_name, v_map.table_name, v_map.table_name
      using errcode = 'undefined_function';
  end if;
  execute format('select %I.%I($1)', v_map.schema_name, 'tg_' || v_map.table_name || '__drain_updates') into n using p_record_ids;
  return n;
end;
$function$;
comment on function sfsync.drain_updates(p_mapping_id bigint, p_record_ids bigint[]) is 'Move a mapping''s logged updates (all, or those of p_record_ids) into the outbox with the fields each changed. Returns the outbox rows written. The claim runs it; an operator never needs to.';

CREATE OR REPLACE FUNCTION sfsync.drop_fields(p_ids bigint[], p_fields text[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  if p_ids is null or p_fields is null then
    raise exception 'sfsync.drop_fields: pass the outbox ids and the fields Salesforce won'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox set
    changed = changed - p_fields,
    state = case when op = 'update' and (changed - p_fields) = '{}'::jsonb then 'ignored' else state end,
    done_at = case when op = 'update' and (changed - p_fields) = '{}'::jsonb then now() else done_at end
  where id = any (p_ids) and state = 'new';
  get diagnostics n = row_count;
  return n;
end;
$function$;
comment on function sfsync.drop_fields(p_ids bigint[], p_fields text[]) is 'Drop fields Salesforce won from unsent changes; an update left empty is ignored. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.feed_ack(p_subscriber text, p_position bigint)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function sfsync.feed_ack(p_subscriber text, p_position bigint) is 'Move the subscriber''s cursor to p_position (never back): entries up to it are handled. Returns the cursor.';

CREATE OR REPLACE FUNCTION sfsync.feed_append_pushed(p_outbox_ids bigint[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function sfsync.feed_append_pushed(p_outbox_ids bigint[]) is 'Append to the feed the pushed changes among these outbox rows (state success or merged). Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.feed_prune(p_keep interval)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function sfsync.feed_prune(p_keep interval) is 'Delete feed entries settled more than p_keep ago; subscribers that had not acked them fail on their next read. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.feed_read(p_subscriber text, p_max integer DEFAULT 100)
 RETURNS SETOF sfsync.feed
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function sfsync.feed_read(p_subscriber text, p_max integer) is 'Up to p_max feed entries after the subscriber''s cursor, in position order; fails when retention pruned entries it never acked.';

CREATE OR REPLACE FUNCTION sfsync.feed_settle()
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function sfsync.feed_settle() is 'Give the committed pending feed entries their positions, after the last one. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.feed_subscribe(p_name text, p_from_start boolean DEFAULT false)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function sfsync.feed_subscribe(p_name text, p_from_start boolean) is 'Create a feed subscriber at the end of the feed (or at its oldest kept entry); an existing one keeps its cursor. Returns its position.';

CREATE OR REPLACE FUNCTION sfsync.feed_unsubscribe(p_name text)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
begin
  delete from sfsync.feed_subscribers where name = p_name;
  return found;
end;
$function$;
comment on function sfsync.feed_unsubscribe(p_name text) is 'Remove a feed subscriber. Returns whether it existed.';

CREATE OR REPLACE FUNCTION sfsync.hand_back_claims(p_ids bigint[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  if p_ids is null then
    raise exception 'sfsync.hand_back_claims: p_ids is null; pass the outbox ids claim_waiting_children returned'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox set state = 'new', claimed_by = null, claimed_pid = null, claimed_at = null
   where id = any (p_ids) and state = 'claimed';
  get diagnostics n = row_count;
  return n;
end;
$function$;
comment on function sfsync.hand_back_claims(p_ids bigint[]) is 'Put claimed changes back to new untouched (never sent: no attempt, no unknown outcome), e.g. children claimed for a graph they could not join. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.heroku_connect_activity(p_schema text, p_quiet interval DEFAULT '00:10:00'::interval)
 RETURNS text
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
  last_processed timestamptz;
  active boolean;
begin
  if to_regclass(format('%I._trigger_log', p_schema)) is not null then
    execute format('select max(processed_at) from %I._trigger_log', p_schema) into last_processed;
    if last_processed > now() - p_quiet then
      return format('Heroku Connect processed a trigger log entry of schema %s at %s', p_schema, last_processed);
    end if;
  end if;
  if to_regclass(format('%I._hcmeta', p_schema)) is not null then
    execute format($q$select bool_or(details ~* '"(state|status)"\s*:\s*"active"') from %I._hcmeta$q$, p_schema) into active;
    if active then
      return format('%s._hcmeta says the Heroku Connect connection is active', p_schema);
    end if;
  end if;
  return null;
end;
$function$;
comment on function sfsync.heroku_connect_activity(p_schema text, p_quiet interval) is 'Why Heroku Connect may still write to the schema (a log entry processed within p_quiet, or _hcmeta saying active), or null.';

CREATE OR REPLACE FUNCTION sfsync.heroku_connect_tables(p_schema text)
 RETURNS SETOF text
 LANGUAGE sql
 STABLE
AS $function$
  select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = p_schema and c.relkind in ('r', 'p')
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'sfid' and not a.attisdropped)
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'id' and not a.attisdropped)
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = '_hc_lastop' and not a.attisdropped)
   order by c.relname;
$function$;
comment on function sfsync.heroku_connect_tables(p_schema text) is 'Tables of a schema shaped like Heroku Connect''s (id, sfid, _hc_lastop), by name.';

CREATE OR REPLACE FUNCTION sfsync.heroku_connect_values(p_mapping sfsync.mappings, p_hstore text, p_strip_nulls boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
  hstore_schema text;
  row_json jsonb;
  keys text[];
  out jsonb;
begin
  if p_hstore is null then
    return '{}';
  end if;
  select n.nspname into hstore_schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'hstore';
  if hstore_schema is null then
    raise exception 'sfsync.adopt_heroku_connect: the hstore extension is not installed, so the trigger log cannot be read; create extension hstore and run it again'
      using errcode = 'undefined_object';
  end if;
  execute format('select to_jsonb(%1$I.populate_record(null::%2$I.%3$I, $1::%1$I.hstore)), %1$I.akeys($1::%1$I.hstore)',
                 hstore_schema, p_mapping.schema_name, p_mapping.table_name)
     into row_json, keys using p_hstore;
  select coalesce(jsonb_object_agg(f ->> 'name', row_json -> (f ->> 'column')), '{}') into out
    from jsonb_array_elements(p_mapping.field_info) f
   where f ->> 'column' = any (keys)
     and not coalesce((f ->> 'removed')::boolean, false) and not coalesce((f ->> 'calculated')::boolean, false)
     and (coalesce((f ->> 'createable')::boolean, false) or coalesce((f ->> 'updateable')::boolean, false));
  return case when p_strip_nulls then jsonb_strip_nulls(out) else out end;
end;
$function$;
comment on function sfsync.heroku_connect_values(p_mapping sfsync.mappings, p_hstore text, p_strip_nulls boolean) is 'A Heroku Connect trigger log entry''s hstore text as {field API name: value} of the mapping''s writable fields, typed by the table''s columns.';

CREATE OR REPLACE FUNCTION sfsync.mappings_to_push()
 RETURNS SETOF bigint
 LANGUAGE sql
 STABLE
AS $function$
  select m.id from sfsync.mappings m join sfsync.connections c on c.id = m.connection_id
   where m.mode = 'read_write' and m.state <> 'paused'
     and (c.push_paused_until is null or c.push_paused_until <= now())
     and (exists (select 1 from sfsync.outbox o
                   where o.mapping_id = m.id and o.state = 'new' and o.next_attempt_at <= now())
          or exists (select 1 from sfsync.outbox_logged l where l.mapping_id = m.id)
          or exists (select 1 from sfsync.outbox o
                      where o.mapping_id = m.id and o.state = 'claimed'
                        and (o.claimed_at < now() - interval '10 minutes'
                             or not exists (select 1 from pg_stat_activity a
                                             where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))));
$function$;

CREATE OR REPLACE FUNCTION sfsync.merge_failed(p_mapping_id bigint, p_record_ids bigint[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  if p_mapping_id is null or p_record_ids is null then
    raise exception 'sfsync.merge_failed: pass the mapping id and the record ids whose failed changes a new insert carries'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox set state = 'merged', done_at = now()
   where mapping_id = p_mapping_id and record_id = any (p_record_ids) and state = 'failed';
  get diagnostics n = row_count;
  return n;
end;
$function$;
comment on function sfsync.merge_failed(p_mapping_id bigint, p_record_ids bigint[]) is 'Mark merged the failed changes of records whose re-insert carries them. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.notify_mapping_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  perform pg_notify('sfsync:mappings', json_build_object('action', 'changed', 'mappingId', NEW.id::text)::text);
  return null;
end;
$function$;

CREATE OR REPLACE FUNCTION sfsync.pause(p_mapping text DEFAULT NULL::text, all_mappings boolean DEFAULT false)
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
declare
  v_id bigint;
begin
  v_id := sfsync.resolve_mapping_selection('pause', p_mapping, all_mappings);
  return query
    update sfsync.mappings m set state = 'paused', updated_at = now()
    where (v_id is null or m.id = v_id) and m.state <> 'paused'
    returning m.id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'pause', 'mappingId', v_id)::text);
end $function$;
comment on function sfsync.pause(p_mapping text, all_mappings boolean) is 'Pause a mapping (id, object or schema.table), or every one with all_mappings => true: no polls, no pushes; changes are still captured.';

CREATE OR REPLACE FUNCTION sfsync.pause_connection(p_connection text)
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
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
end $function$;
comment on function sfsync.pause_connection(p_connection text) is 'Pause every mapping of the named connection (no polls, no pushes; changes are still captured); other connections run on.';

CREATE OR REPLACE FUNCTION sfsync.prune_outbox(p_keep interval DEFAULT '7 days'::interval, p_batch integer DEFAULT 10000)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
declare
  n bigint := 0;
  deleted integer;
  cutoff timestamptz;
begin
  if p_keep is null then
    raise exception 'sfsync.prune_outbox: p_keep is null; pass how long to keep finished changes, e.g. ''7 days'' (''0'' prunes every finished change)'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_keep < interval '0' then
    raise exception 'sfsync.prune_outbox: p_keep % is negative and would delete every finished change; pass how long to keep them, e.g. ''7 days''', p_keep
      using errcode = 'invalid_parameter_value';
  end if;
  if p_batch is null or p_batch <= 0 then
    raise exception 'sfsync.prune_outbox: p_batch % is not a positive number (0 or null never finishes); pass rows per batch, e.g. 10000', coalesce(p_batch::text, 'null')
      using errcode = case when p_batch is null then 'null_value_not_allowed' else 'invalid_parameter_value' end;
  end if;
  begin
    cutoff := now() - p_keep;
  exception when datetime_field_overflow then
    -- Kept since before the calendar starts: nothing is that old.
    cutoff := '-infinity';
  end;
  loop
    delete from sfsync.outbox
     where id in (select id from sfsync.outbox
                   where state in ('success', 'merged', 'ignored') and done_at < cutoff
                   limit p_batch);
    get diagnostics deleted = row_count;
    n := n + deleted;
    exit when deleted < p_batch;
  end loop;
  return n;
end;
$function$;
comment on function sfsync.prune_outbox(p_keep interval, p_batch integer) is 'Delete success, merged and ignored outbox rows finished longer ago than p_keep (in batches of p_batch); failed rows stay. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.queue_resend(p_mapping_id bigint, p_resend jsonb)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  m sfsync.mappings;
  r record;
  v jsonb;
  col text;
  queued integer := 0;
begin
  select * into m from sfsync.mappings where id = p_mapping_id;
  if not found then
    raise exception 'sfsync.queue_resend: no mapping with id %', p_mapping_id using errcode = 'no_data_found';
  end if;
  for r in
    select o.record_id, jsonb_object_agg(x.field, o.changed -> x.field) as lost
      from jsonb_to_recordset(coalesce(p_resend, '[]')) as x(outbox_id bigint, field text)
      join sfsync.outbox o on o.id = x.outbox_id and o.mapping_id = p_mapping_id
     group by o.record_id
  loop
    declare
      changed jsonb := '{}';
      old jsonb := '{}';
      f text;
      sfid text;
    begin
      for f in select jsonb_object_keys(r.lost) loop
        select e ->> 'column' into col from jsonb_array_elements(m.field_info) e
         where e ->> 'name' = f and not coalesce((e ->> 'removed')::boolean, false) and not coalesce((e ->> 'calculated')::boolean, false)
           and (coalesce((e ->> 'createable')::boolean, false) or coalesce((e ->> 'updateable')::boolean, false));
        continue when col is null;
        execute format('select to_jsonb(t.%I), t.sfid from %I.%I t where t.id = $1', col, m.schema_name, m.table_name)
           into v, sfid using r.record_id;
        if v is not null and v is distinct from r.lost -> f then
          changed := changed || jsonb_build_object(f, v);
          old := old || jsonb_build_object(f, r.lost -> f);
        end if;
      end loop;
      if changed <> '{}'::jsonb then
        insert into sfsync.outbox (mapping_id, record_id, sfid, op, changed, old)
        values (p_mapping_id, r.record_id, sfid, 'update', changed, old);
        queued := queued + 1;
      end if;
    end;
  end loop;
  if queued > 0 then
    perform pg_notify('sfsync:outbox', p_mapping_id::text);
  end if;
  return queued;
end;
$function$;
comment on function sfsync.queue_resend(p_mapping_id bigint, p_resend jsonb) is 'Queue, behind a change in flight, the values Salesforce won of the fields it carries. Returns the number of changes queued.';

CREATE OR REPLACE FUNCTION sfsync.record_api_usage(p_connection_ids bigint[], p_used integer[], p_limits integer[], p_at timestamp with time zone[], p_governor text[])
 RETURNS void
 LANGUAGE sql
AS $function$
  update sfsync.connections c
     set api_usage = r.used, api_limit = r.lim, api_usage_at = r.at, governor = r.governor
    from unnest(p_connection_ids, p_used, p_limits, p_at, p_governor) as r(id, used, lim, at, governor)
   where c.id = r.id and (c.api_usage_at is null or c.api_usage_at <= r.at);
$function$;
comment on function sfsync.record_api_usage(p_connection_ids bigint[], p_used integer[], p_limits integer[], p_at timestamp with time zone[], p_governor text[]) is 'Write the API usage and governor state the engine saw, for many connections in one statement; older reports than the stored one are ignored.';

CREATE OR REPLACE FUNCTION sfsync.record_reinsert(p_ids bigint[], p_changed jsonb[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function sfsync.record_reinsert(p_ids bigint[], p_changed jsonb[]) is 'Record that these settled changes went to Salesforce as inserts of these values (re-inserts). Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.recover_outbox(p_mapping_id bigint, p_lease interval DEFAULT '00:10:00'::interval)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.recover_outbox: p_mapping_id is null; pass a mapping id from sfsync.mapping_status'
      using errcode = 'null_value_not_allowed';
  end if;
  if not exists (select 1 from sfsync.mappings where id = p_mapping_id) then
    raise exception 'sfsync.recover_outbox: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if p_lease is null then
    raise exception 'sfsync.recover_outbox: p_lease is null; pass a positive interval, e.g. ''10 minutes'' (the default)'
      using errcode = 'null_value_not_allowed';
  end if;
  if p_lease <= interval '0' then
    raise exception 'sfsync.recover_outbox: lease % would take back changes still being sent (they would be sent twice); pass a positive interval, e.g. ''10 minutes''', p_lease
      using errcode = 'invalid_parameter_value';
  end if;
  with dead as (
    update sfsync.outbox o
       set state = 'new', unknown_since = coalesce(o.unknown_since, o.claimed_at),
           claimed_by = null, claimed_pid = null, next_attempt_at = now()
     where o.mapping_id = p_mapping_id and o.state = 'claimed'
       and (o.claimed_at < now() - p_lease
            or not exists (select 1 from pg_stat_activity a
                            where a.pid = o.claimed_pid and a.backend_start <= o.claimed_at))
    returning 1
  )
  select count(*)::integer into n from dead;
  return n;
end;
$function$;
comment on function sfsync.recover_outbox(p_mapping_id bigint, p_lease interval) is 'Put back to new (outcome unknown) the claimed changes of a mapping whose claiming backend is gone or whose lease expired.';

CREATE OR REPLACE FUNCTION sfsync.refuse_id_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  raise exception 'sfsync: %.% is synced with Salesforce by row id, so a row''s id cannot change (% to %); insert a new row and delete the old one instead',
    TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.id, NEW.id
    using errcode = 'feature_not_supported';
end;
$function$;

CREATE OR REPLACE FUNCTION sfsync.refuse_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if coalesce(current_setting('sfsync.origin', true), '') <> '' then
    return null;
  end if;
  raise exception 'TRUNCATE of %.% is refused: it is mapped read_write by sfsync (mapping %) and a TRUNCATE cannot be sent to Salesforce', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]
    using errcode = 'feature_not_supported',
          hint = 'DELETE the rows instead (each delete is sent), or remove the mapping first with sfsync.remove_mapping(mapping_id).';
end;
$function$;

CREATE OR REPLACE FUNCTION sfsync.release_claims(p_mapping_id bigint, p_claimed_by text)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  if p_mapping_id is null or coalesce(p_claimed_by, '') = '' then
    raise exception 'sfsync.release_claims: pass the mapping id and the claimer name the claims were made under'
      using errcode = 'null_value_not_allowed';
  end if;
  update sfsync.outbox
     set state = 'new', unknown_since = coalesce(unknown_since, claimed_at), claimed_by = null, claimed_pid = null,
         next_attempt_at = now() + interval '1 second'
   where mapping_id = p_mapping_id and state = 'claimed' and claimed_by = p_claimed_by;
  get diagnostics n = row_count;
  return n;
end;
$function$;
comment on function sfsync.release_claims(p_mapping_id bigint, p_claimed_by text) is 'Hand a failed push''s claims back to new, as changes of unknown outcome (looked up before they are sent again). Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.remove_mapping(p_mapping_id bigint, p_drop_table boolean DEFAULT false)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
declare
  m sfsync.mappings;
  suffix text;
begin
  if p_mapping_id is null then
    raise exception 'sfsync.remove_mapping: p_mapping_id is null; pass a mapping id from sfsync.mapping_status (or `sfsync mappings`)'
      using errcode = 'null_value_not_allowed';
  end if;
  select * into m from sfsync.mappings where id = p_mapping_id for update;
  if not found then
    raise exception 'sfsync.remove_mapping: no mapping with id %; take the id from sfsync.mapping_status (or `sfsync mappings`)', p_mapping_id
      using errcode = 'no_data_found';
  end if;
  if to_regclass(format('%I.%I', m.schema_name, m.table_name)) is not null then
    foreach suffix in array array['__capture', '__capture_insert', '__capture_update', '__capture_delete', '__truncate', '__keep_id', '__hc_status'] loop
      execute format('drop trigger if exists %I on %I.%I', 'tg_' || m.table_name || suffix, m.schema_name, m.table_name);
    end loop;
    if p_drop_table then
      execute format('drop table %I.%I', m.schema_name, m.table_name);
    end if;
  end if;
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__capture');
  execute format('drop function if exists %I.%I()', m.schema_name, 'tg_' || m.table_name || '__hc_status');
  execute format('drop function if exists %I.%I(bigint[])', m.schema_name, 'tg_' || m.table_name || '__drain_inserts');
  execute format('drop function if exists %I.%I(bigint[])', m.schema_name, 'tg_' || m.table_name || '__drain_updates');
  delete from sfsync.mappings where id = p_mapping_id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'removed', 'mappingId', p_mapping_id::text)::text);
  return true;
end;
$function$;
comment on function sfsync.remove_mapping(p_mapping_id bigint, p_drop_table boolean) is 'Remove a mapping: drop its capture (and Heroku Connect compat) triggers and row; drop the table too when p_drop_table. Raises when no such mapping.';

CREATE OR REPLACE FUNCTION sfsync.request_reconcile(p_mapping text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
declare
  v_id bigint := sfsync.resolve_mapping(p_mapping);
begin
  perform graphile_worker.add_job(
    'sfsync:reconcile',
    json_build_object('mappingId', v_id::text),
    job_key => 'sfsync:reconcile:' || v_id
  );
  return v_id;
end $function$;
comment on function sfsync.request_reconcile(p_mapping text) is 'Queue a reconciliation of a mapping now (sfsync:reconcile job, deduplicated per mapping).';

CREATE OR REPLACE FUNCTION sfsync.request_reload(p_mapping text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
declare
  v_id bigint := sfsync.resolve_mapping(p_mapping);
begin
  perform graphile_worker.add_job(
    'sfsync:reload',
    json_build_object('mappingId', v_id::text),
    job_key => 'sfsync:reload:' || v_id
  );
  return v_id;
end $function$;
comment on function sfsync.request_reload(p_mapping text) is 'Queue a reload of a mapping (sfsync:reload job, deduplicated per mapping); returns the mapping id.';

CREATE OR REPLACE FUNCTION sfsync.resolve_connection(p_connection text)
 RETURNS bigint
 LANGUAGE plpgsql
 STABLE
AS $function$
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
end $function$;
comment on function sfsync.resolve_connection(p_connection text) is 'The id of the connection named p_connection; raises no_data_found naming the known connections otherwise.';

CREATE OR REPLACE FUNCTION sfsync.resolve_mapping(p_mapping text)
 RETURNS bigint
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
  v_ids bigint[];
begin
  if p_mapping is null then
    raise exception 'Mapping name is null; name one by id, Salesforce object or schema.table (list them with `sfsync mappings`)'
      using errcode = 'null_value_not_allowed';
  end if;
  select array_agg(m.id order by m.id) into v_ids
  from sfsync.mappings m
  where m.id::text = p_mapping
     or lower(m.sobject) = lower(p_mapping)
     or lower(m.schema_name || '.' || m.table_name) = lower(p_mapping);
  if v_ids is null then
    raise exception 'No mapping named "%"; list them with `sfsync mappings` or `select * from sfsync.mapping_status`.', p_mapping
      using errcode = 'no_data_found';
  end if;
  if cardinality(v_ids) > 1 then
    raise exception 'Mapping name "%" is ambiguous (ids %); use the mapping id instead.', p_mapping, v_ids
      using errcode = 'cardinality_violation';
  end if;
  return v_ids[1];
end $function$;
comment on function sfsync.resolve_mapping(p_mapping text) is 'The id of the mapping named by id, Salesforce object or schema.table; raises when none or several match.';

CREATE OR REPLACE FUNCTION sfsync.resolve_mapping_selection(p_fn text, p_mapping text, all_mappings boolean)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
begin
  if coalesce(all_mappings, false) then
    if p_mapping is not null then
      raise exception 'sfsync.%: pass a mapping or all_mappings => true, not both', p_fn
        using errcode = 'invalid_parameter_value';
    end if;
    return null;
  end if;
  if p_mapping is null then
    raise exception 'sfsync.%: the mapping is null (null never means all); pass one by id, object or schema.table, or all_mappings => true to % every mapping', p_fn, p_fn
      using errcode = 'null_value_not_allowed';
  end if;
  return sfsync.resolve_mapping(p_mapping);
end $function$;
comment on function sfsync.resolve_mapping_selection(p_fn text, p_mapping text, all_mappings boolean) is 'The mapping pause/resume act on: the one named, or null (every one) only with all_mappings => true; raises otherwise.';

CREATE OR REPLACE FUNCTION sfsync.resume(p_mapping text DEFAULT NULL::text, all_mappings boolean DEFAULT false)
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
declare
  v_id bigint;
begin
  v_id := sfsync.resolve_mapping_selection('resume', p_mapping, all_mappings);
  return query
    update sfsync.mappings m
    set state = case when m.watermark is null then 'new' else 'active' end, updated_at = now()
    where (v_id is null or m.id = v_id) and m.state = 'paused'
    returning m.id;
  perform pg_notify('sfsync:mappings', json_build_object('action', 'resume', 'mappingId', v_id)::text);
end $function$;
comment on function sfsync.resume(p_mapping text, all_mappings boolean) is 'Resume a paused mapping, or every one with all_mappings => true; a mapping that never loaded goes back to new.';

CREATE OR REPLACE FUNCTION sfsync.resume_connection(p_connection text)
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
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
end $function$;
comment on function sfsync.resume_connection(p_connection text) is 'Resume every paused mapping of the named connection; one that never loaded goes back to new.';

CREATE OR REPLACE FUNCTION sfsync.retry_all_orphans()
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  parent bigint;
  n integer := 0;
begin
  for parent in
    select distinct (o.error -> 'parent' ->> 'mappingId')::bigint from sfsync.outbox o
     where o.state = 'failed' and o.error ->> 'code' = 'PARENT_FAILED'
  loop
    n := n + sfsync.retry_orphans(parent, array(
      select (o.error -> 'parent' ->> 'recordId')::bigint from sfsync.outbox o
       where o.state = 'failed' and o.error ->> 'code' = 'PARENT_FAILED' and o.error -> 'parent' ->> 'mappingId' = parent::text));
  end loop;
  return n;
end;
$function$;
comment on function sfsync.retry_all_orphans() is 'Send again every PARENT_FAILED child whose parent row has an sfid now (the engine''s sweep). Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.retry_failed(p_mapping_id bigint DEFAULT NULL::bigint, p_outbox_ids bigint[] DEFAULT NULL::bigint[], all_failed boolean DEFAULT false, missing_ok boolean DEFAULT false)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
  ids bigint[];
  m bigint;
begin
  perform sfsync.check_failed_selection('retry_failed', p_mapping_id, p_outbox_ids, all_failed, missing_ok);
  with f as (
    select o.id, o.mapping_id, o.record_id
      from sfsync.outbox o
     where o.state = 'failed'
       and (p_mapping_id is null or o.mapping_id = p_mapping_id)
       and (p_outbox_ids is null or o.id = any (p_outbox_ids))
       for update
  ), sent as (
    select f.id, array_agg(distinct k) as keys
      from f
      join sfsync.outbox l on l.mapping_id = f.mapping_id and l.record_id = f.record_id and l.id > f.id and l.state = 'success'
      cross join lateral jsonb_object_keys(l.changed) k
     where l.id > (select min(id) from f)
     group by f.id
  ), retried as (
    update sfsync.outbox o
       set state = 'new', attempts = 0, next_attempt_at = now(), error = null, done_at = null,
           changed = o.changed - coalesce(sent.keys, '{}')
      from f left join sent on sent.id = f.id
     where o.id = f.id
    returning o.mapping_id
  )
  select count(*), array_agg(distinct mapping_id) into n, ids from retried;
  foreach m in array coalesce(ids, '{}') loop
    perform pg_notify('sfsync:outbox', m::text);
  end loop;
  return n;
end;
$function$;
comment on function sfsync.retry_failed(p_mapping_id bigint, p_outbox_ids bigint[], all_failed boolean, missing_ok boolean) is 'Send failed changes again: the given outbox ids, one mapping''s, or all_failed => true; fields a later change already sent are dropped. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.retry_orphans(p_parent_mapping_id bigint, p_parent_ids bigint[], p_child_mapping_ids bigint[] DEFAULT NULL::bigint[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  p sfsync.mappings;
  ids bigint[];
begin
  if p_parent_mapping_id is null or p_parent_ids is null then
    raise exception 'sfsync.retry_orphans: pass the parent mapping id and parent row ids (retry_all_orphans() takes every parent)'
      using errcode = 'null_value_not_allowed';
  end if;
  select * into p from sfsync.mappings where id = p_parent_mapping_id;
  if not found or to_regclass(format('%I.%I', p.schema_name, p.table_name)) is null then
    return 0;
  end if;
  execute format(
    'select array_agg(o.id) from sfsync.outbox o join %I.%I parent on parent.id = (o.error -> ''parent'' ->> ''recordId'')::bigint
      where o.state = ''failed'' and o.error ->> ''code'' = ''PARENT_FAILED''
        and o.error -> ''parent'' ->> ''mappingId'' = $1::text and parent.sfid is not null
        and parent.id = any ($2) and ($3 is null or o.mapping_id = any ($3))', p.schema_name, p.table_name)
    into ids using p_parent_mapping_id, p_parent_ids, p_child_mapping_ids;
  if ids is null then
    return 0;
  end if;
  -- missing_ok: a concurrent retry may settle some first.
  return sfsync.retry_failed(p_outbox_ids => ids, missing_ok => true);
end;
$function$;
comment on function sfsync.retry_orphans(p_parent_mapping_id bigint, p_parent_ids bigint[], p_child_mapping_ids bigint[]) is 'Send again the PARENT_FAILED children of the given parent rows that have an sfid now. Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.settle_outbox(p_ids bigint[], p_states sfsync.outbox_state[], p_sfids text[], p_errors jsonb[], p_incs integer[], p_nexts timestamp with time zone[], p_unknown boolean[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  if p_ids is null or p_states is null or cardinality(p_ids) <> cardinality(p_states) then
    raise exception 'sfsync.settle_outbox: p_ids and p_states must be given, one state per id'
      using errcode = 'invalid_parameter_value';
  end if;
  update sfsync.outbox o
     set state = u.state, sfid = coalesce(u.sfid, o.sfid), error = u.error, attempts = o.attempts + u.inc,
         next_attempt_at = coalesce(u.next, o.next_attempt_at),
         unknown_since = case when u.unknown then coalesce(o.unknown_since, o.claimed_at) when u.state = 'new' then o.unknown_since end,
         done_at = case when u.state in ('success', 'merged', 'failed') then now() end,
         claimed_by = null, claimed_pid = null
    from unnest(p_ids, p_states, p_sfids, p_errors, p_incs, p_nexts, p_unknown) u(id, state, sfid, error, inc, next, unknown)
   where o.id = u.id;
  get diagnostics n = row_count;
  return n;
end;
$function$;
comment on function sfsync.settle_outbox(p_ids bigint[], p_states sfsync.outbox_state[], p_sfids text[], p_errors jsonb[], p_incs integer[], p_nexts timestamp with time zone[], p_unknown boolean[]) is 'Record a push round''s outcome of each outbox row (done, failed, or new with back-off). Returns the count.';

CREATE OR REPLACE FUNCTION sfsync.tg_feed_pending__notify()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  perform pg_notify('sfsync:feed', '');
  return null;
end;
$function$;

CREATE OR REPLACE FUNCTION sfsync.waiting_children_in_flight(p_mapping_id bigint, p_claimed_by text, p_fields text[], p_values text[])
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
  select exists (select 1
                   from sfsync.outbox n
                  where n.mapping_id = p_mapping_id and n.state = 'claimed' and n.op = 'insert'
                    and n.claimed_by is distinct from p_claimed_by
                    and exists (select 1 from unnest(p_fields) f where n.changed ->> f = any (p_values)));
$function$;
comment on function sfsync.waiting_children_in_flight(p_mapping_id bigint, p_claimed_by text, p_fields text[], p_values text[]) is 'Whether another push holds claimed inserts of the child mapping whose reference fields name one of p_values (@<id>): children claim_waiting_children could not take yet.';
