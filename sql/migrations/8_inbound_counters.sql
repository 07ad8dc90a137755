-- 8: inbound bookkeeping — row-level errors and load progress on poll_windows.
--
-- Why:
-- - `records_failed`: a value that does not fit its column (too long for
--   varchar(n), integer overflow …) fails only its row (`_sfsync_state =
--   'failed'`, `_sfsync_error` set) while the rest of the window applies; the
--   window counts those rows so an operator sees them without scanning tables.
-- - `records_expected`: a reload (kind 'reload') knows its total once the Bulk
--   job completes (`numberRecordsProcessed`); with `records_seen` growing page
--   by page, `records_seen / records_expected` is the load's progress in SQL.
alter table poll_windows add column records_failed integer not null default 0;
alter table poll_windows add column records_expected integer;
