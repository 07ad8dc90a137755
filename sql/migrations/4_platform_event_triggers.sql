-- 4: Platform Event triggers — a mapping may name a Platform Event channel
-- whose events carry the Ids of records to sync now (a flow or trigger in
-- Salesforce publishes them). The event only says which records to look at:
-- sfsync fetches them by Id and applies them as a poll does. Replay ids are
-- kept in stream_state under the channel `/event/<event_channel>`, as CDC's.

alter table mappings
  add column event_channel text check (event_channel ~ '^[A-Za-z][A-Za-z0-9_]{0,76}__e$'),
  add column event_field text check (event_field ~ '^[A-Za-z][A-Za-z0-9_]{0,79}$'),
  add constraint mappings_event_field_named check ((event_channel is null) = (event_field is null));

comment on column mappings.event_channel is 'Platform Event (X__e) whose events name records of this mapping to fetch and apply; null: none.';
comment on column mappings.event_field is 'Field of the event holding one record Id, or several separated by commas, spaces or semicolons.';
