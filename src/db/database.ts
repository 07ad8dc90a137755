/**
 * kysely types of the `sfsync` schema, matching sql/migrations/ (keep them in
 * step: a migration that changes a table changes its interface here).
 */
import type { ColumnType, Generated, Kysely } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | undefined, string>;
type Interval = ColumnType<string | object, string | undefined, string>;

/** `sfsync.connections`: one Salesforce org. */
export interface ConnectionsTable {
  id: Generated<string>;
  name: string;
  login_url: string;
  instance_url: string | null;
  api_version: ColumnType<string, string | undefined, string>;
  auth_kind: ColumnType<'password' | 'client_credentials' | 'jwt' | 'refresh_token' | 'soap', string | undefined, string>;
  username: string | null;
  client_id: string | null;
  state: ColumnType<'active' | 'paused' | 'error', string | undefined, string>;
  last_error: Json | null;
  api_usage: number | null;
  api_limit: number | null;
  api_usage_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** `sfsync.mappings`: one object <-> table. */
export interface MappingsTable {
  id: Generated<string>;
  connection_id: string;
  sobject: string;
  schema_name: ColumnType<string, string | undefined, string>;
  table_name: string;
  fields: string[];
  field_info: Json;
  mode: 'read_only' | 'read_write';
  external_id_field: string | null;
  row_filter: string | null;
  poll_interval: Interval;
  drift_delay: Interval;
  conflict_policy: ColumnType<'salesforce_wins' | 'postgres_wins' | 'newest_wins', string | undefined, string>;
  streaming: ColumnType<'auto' | 'cdc' | 'pushtopic' | 'off', string | undefined, string>;
  delete_mode: ColumnType<'delete' | 'mark', string | undefined, string>;
  state: ColumnType<'new' | 'loading' | 'active' | 'paused' | 'error', string | undefined, string>;
  last_error: Json | null;
  watermark: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** `sfsync.outbox`: one captured change. */
export interface OutboxTable {
  id: Generated<string>;
  mapping_id: string;
  record_id: string;
  sfid: string | null;
  op: 'insert' | 'update' | 'delete';
  changed: Json;
  old: Json | null;
  txid: Generated<string>;
  state: ColumnType<'new' | 'pending' | 'success' | 'failed' | 'merged' | 'ignored', string | undefined, string>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  claimed_by: string | null;
  claimed_at: Timestamp | null;
  error: Json | null;
  created_at: Generated<Date>;
  done_at: Timestamp | null;
}

/**
 * The outbox states still to be dealt with, as an SQL list: the predicate of
 * the outbox_live index (migration 16), the only index besides the primary
 * key. A query that names these states (or a subset) can use it; finished
 * rows (success, merged, ignored) have no per-record index.
 */
export const OUTBOX_LIVE_STATES = "('new', 'pending', 'failed')";

/** `sfsync.poll_windows`: one poll of a SystemModstamp window. */
export interface PollWindowsTable {
  id: Generated<string>;
  mapping_id: string;
  kind: 'primary' | 'secondary' | 'reload' | 'reconcile';
  lower: Timestamp;
  upper: Timestamp;
  api: 'rest' | 'bulk' | null;
  records_seen: Generated<number>;
  records_applied: Generated<number>;
  drift_fixed: Generated<number>;
  api_calls: Generated<number>;
  outcome: ColumnType<'running' | 'succeeded' | 'failed', string | undefined, string>;
  error: Json | null;
  secondary_due_at: Timestamp | null;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
}

/** `sfsync.stream_state`: the last committed replayId of a channel. */
export interface StreamStateTable {
  connection_id: string;
  channel: string;
  replay_id: string | null;
  updated_at: Generated<Date>;
}

/** `sfsync.conflicts`: one decided conflict. */
export interface ConflictsTable {
  id: Generated<string>;
  mapping_id: string;
  sfid: string;
  field: string;
  pg_value: Json | null;
  sf_value: Json | null;
  policy: string;
  decision: 'salesforce' | 'postgres';
  decided_at: Generated<Date>;
}

/** The `sfsync` schema as kysely sees it; use `db.withSchema('sfsync')`. */
export interface SfsyncDatabase {
  connections: ConnectionsTable;
  mappings: MappingsTable;
  outbox: OutboxTable;
  poll_windows: PollWindowsTable;
  stream_state: StreamStateTable;
  conflicts: ConflictsTable;
}

/** A kysely instance over the sfsync schema. */
export type SfsyncKysely = Kysely<SfsyncDatabase>;
