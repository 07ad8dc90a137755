-- 15: engines — one row per running `sfsync start` worker pool.
--
-- Why: graphile-worker locks a job (and its named queue) with the worker
-- pool's id and frees it only on a clean shutdown, or after 4 hours. An engine
-- killed mid-job (SIGKILL, OOM, lost machine) therefore left its mapping's
-- poll queue `sfsync:poll:<id>` locked: no poll of that mapping ran for up to
-- 4 hours. Each engine now records its pool id beside a Postgres session it
-- holds open for its whole life (`pid` + `backend_start` identify it); when
-- that session is gone from pg_stat_activity the engine is dead, and any other
-- engine unlocks what it held (graphile_worker.force_unlock_workers) at start
-- and every 30 s (src/runtime/dead-engines.ts).
create table engines (
  worker_pool_id text primary key,
  pid            integer not null,
  backend_start  timestamptz not null,
  process_name   text not null,
  started_at     timestamptz not null default now()
);

-- Worker pools whose engine session is gone. pg_stat_activity hides
-- backend_start of other roles' sessions from unprivileged roles (null): then
-- the pid alone decides, so a live engine is never taken for dead.
create view dead_engines as
  select e.*
  from engines e
  where not exists (
    select 1 from pg_stat_activity a
    where a.pid = e.pid and (a.backend_start is null or a.backend_start = e.backend_start)
  );
