-- 1: connections — one row per Salesforce org.
--
-- Why: every mapping belongs to one org; the runtime needs the login URL, the API
-- version and which kind of authentication to use. Secrets (passwords, client
-- secrets, refresh tokens, JWT keys) are NEVER stored here: they come from the
-- environment or files at runtime (`SFSYNC_*`), so a database dump leaks none.
-- `api_usage`/`api_limit` cache the last `Sforce-Limit-Info` seen, for `status`.
create table connections (
  id            bigint generated always as identity primary key,
  name          text not null unique
                  check (name ~ '^[a-z][a-z0-9_]{0,39}$'),
  login_url     text not null check (login_url ~ '^https?://'),
  instance_url  text check (instance_url ~ '^https?://'),
  api_version   text not null default '59.0' check (api_version ~ '^[0-9]{2}\.0$'),
  auth_kind     text not null default 'password'
                  check (auth_kind in ('password', 'client_credentials', 'jwt', 'refresh_token', 'soap')),
  username      text,
  client_id     text,
  state         text not null default 'active' check (state in ('active', 'paused', 'error')),
  last_error    jsonb,
  api_usage     integer,
  api_limit     integer,
  api_usage_at  timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
