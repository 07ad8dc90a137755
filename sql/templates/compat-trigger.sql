-- Heroku Connect's status columns, kept for a mapping with compat
-- 'heroku-connect' (rendered by src/mapping/plan-statements.ts): apps that read
-- _hc_lastop and _hc_err keep working. Only such mappings get this BEFORE
-- trigger, so no other table pays for it. Meanings (Heroku Connect's):
--   PENDING  an app write of a synced column, not sent yet;
--   INSERTED the push created the record (the row got its sfid);
--   SYNCED   the push sent an update, or a poll wrote Salesforce's values;
--   FAILED   Salesforce refused the change; _hc_err holds the JSON error.
-- The push's write-back (sfsync.origin 'sfsync') records its outcome in
-- _sfsync_state in the same statement: that is what this function reads.
create or replace function {{compat_function}}() returns trigger
language plpgsql as $compat$
declare
  origin text := coalesce(current_setting('sfsync.origin', true), '');
begin
  if origin = '' then
    if TG_OP = 'INSERT' or {{changed_check}} then
      NEW._hc_lastop := 'PENDING';
      NEW._hc_err := null;
    end if;
  elsif origin = 'sfsync' then
    if NEW._sfsync_state = 'failed' then
      NEW._hc_lastop := 'FAILED';
      NEW._hc_err := json_build_object('op', case when NEW.sfid is null then 'INSERT' else 'UPDATE' end, 'src', 'SF',
                                       'code', NEW._sfsync_error ->> 'code', 'msg', NEW._sfsync_error ->> 'message')::text;
    elsif NEW._sfsync_state = 'pending' then
      NEW._hc_lastop := 'PENDING';
    elsif TG_OP = 'UPDATE' and OLD.sfid is null and NEW.sfid is not null then
      NEW._hc_lastop := 'INSERTED';
      NEW._hc_err := null;
    elsif OLD._hc_lastop is null or OLD._hc_lastop in ('PENDING', 'FAILED') then
      NEW._hc_lastop := 'SYNCED';
      NEW._hc_err := null;
    end if;
  elsif origin = 'salesforce' then
    if NEW._sfsync_state is distinct from 'failed' then
      NEW._hc_lastop := 'SYNCED';
      NEW._hc_err := null;
    elsif TG_OP = 'INSERT' or NEW._sfsync_error is distinct from OLD._sfsync_error then
      -- A value that did not fit its column (a push's failure stays as it was).
      NEW._hc_lastop := 'FAILED';
      NEW._hc_err := json_build_object('op', 'SYNC', 'src', 'SF', 'code', NEW._sfsync_error ->> 'code', 'msg', NEW._sfsync_error ->> 'message')::text;
    end if;
  end if;
  return NEW;
end;
$compat$;
create trigger {{compat_trigger}} before insert or update on {{table}}
  for each row execute function {{compat_function}}();
