-- 5: connection secrets — what each connection needs to log in by itself.
--
-- One database may sync many orgs, each with its own credentials, so a
-- connection stores its secrets: per field (password, clientSecret,
-- refreshToken, jwtKey) either {"sealed": "v1.…"} — AES-256-GCM under the
-- operator's key, bound to the connection's name and login URL — or, with no
-- key, {"ref": "@/path" | "env:NAME"}: where to read it, never the value.
-- Fields absent here come from the config/env at login, as for a single org.
-- The key itself is never in the database (src/config/secret-key.ts).

alter table sfsync.connections
  add column secrets jsonb not null default '{}'
    constraint connections_secrets_is_object check (jsonb_typeof(secrets) = 'object');

comment on column sfsync.connections.secrets is
  'Per secret field: {"sealed": AES-256-GCM envelope} or {"ref": "@file" | "env:NAME"}; never a value in clear.';
