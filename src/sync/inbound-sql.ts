/**
 * The SQL of the inbound apply, generated per mapping (pure; tests assert the
 * text). Every identifier is quoted with `escapeIdentifier`; values travel as
 * one jsonb parameter per page (`jsonb_to_recordset`), so one statement writes
 * a whole page (≤ 2,000 rows) instead of one round trip per row.
 *
 * The record set carries each mapped column as text (cast to the column type
 * in SQL), plus `_keep` (columns to leave as they are: Postgres-side changes
 * not yet pushed, or values that did not fit), `_state`/`_error` (null state =
 * keep the row's state, e.g. while a push is pending).
 */
import { escapeIdentifier } from 'pg';
import type { FieldInfo } from '../mapping/field-info.js';

/** The table and columns a statement is built for. */
export interface InboundTable {
  schema: string;
  table: string;
  fields: readonly FieldInfo[];
  /** Column of the mapping's External ID field, when it has one. */
  externalIdColumn?: string | undefined;
}

const q = escapeIdentifier;
const lit = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** `"schema"."table"`. */
export function qualified(t: InboundTable): string {
  return `${q(t.schema)}.${q(t.table)}`;
}

function live(t: InboundTable): FieldInfo[] {
  return t.fields.filter((f) => !f.removed);
}

/** `jsonb_to_recordset($1::jsonb) as r(...)` with every column as text. */
export function recordset(t: InboundTable, param = '$1'): string {
  const cols = live(t).map((f) => `${q(f.column)} text`);
  return `jsonb_to_recordset(${param}::jsonb) as r(sfid text, systemmodstamp text, isdeleted boolean, createddate text, ${[...cols, '_keep text[]', '_state text', '_error jsonb'].join(', ')})`;
}

function newValue(f: FieldInfo): string {
  return `case when ${lit(f.column)} = any(r._keep) then t.${q(f.column)} else r.${q(f.column)}::${f.pgType} end`;
}

/** Update rows matched by sfid when the incoming stamp is not older and some value differs (echoes are no-ops). */
export function updateBySfidSql(t: InboundTable): string {
  const fields = live(t);
  const sets = [
    ...fields.map((f) => `${q(f.column)} = ${newValue(f)}`),
    'systemmodstamp = r.systemmodstamp::timestamp(3)',
    'isdeleted = r.isdeleted',
    'createddate = coalesce(r.createddate::timestamp(3), t.createddate)',
    '_sfsync_state = coalesce(r._state, t._sfsync_state)',
    '_sfsync_error = case when r._state is null then t._sfsync_error else r._error end',
  ];
  const before = [...fields.map((f) => `t.${q(f.column)}`), 't.systemmodstamp', 't.isdeleted', 't._sfsync_state', 't._sfsync_error'];
  const after = [...fields.map(newValue), 'r.systemmodstamp::timestamp(3)', 'r.isdeleted', 'coalesce(r._state, t._sfsync_state)', 'case when r._state is null then t._sfsync_error else r._error end'];
  return [
    `update ${qualified(t)} as t set ${sets.join(', ')}`,
    `from ${recordset(t)}`,
    'where t.sfid = r.sfid',
    'and (t.systemmodstamp is null or r.systemmodstamp::timestamp(3) >= t.systemmodstamp)',
    `and (${before.join(', ')}) is distinct from (${after.join(', ')})`,
  ].join('\n');
}

/** Give rows inserted from Postgres (sfid still null) their sfid by External ID, so the insert below never duplicates them. */
export function attachByExternalIdSql(t: InboundTable): string | undefined {
  const field = live(t).find((f) => f.column === t.externalIdColumn);
  if (!field) return undefined;
  const col = q(field.column);
  return [
    `update ${qualified(t)} as t set sfid = r.sfid`,
    `from ${recordset(t)}`,
    `where t.sfid is null and r.${col} is not null and t.${col} = r.${col}::${field.pgType}`,
    `and not exists (select 1 from ${qualified(t)} as x where x.sfid = r.sfid)`,
  ].join('\n');
}

/**
 * Insert records not in the table yet.
 *
 * Without an External ID, a record created while a local insert of the same
 * mapping has an unresolved outcome (claimed by a push, or recovered as
 * "unknown" after a crash) may BE that insert, committed in Salesforce before
 * the write-back: inserting it here too would make a second row, and the
 * push's recovery lookup would then re-send the insert (a duplicate record).
 * Such records are deferred: the push adopts them by lookup and writes the
 * sfid back, and the drift re-poll of this window (`$2` = mapping id) inserts
 * whatever nobody adopted. The 5-minute margin matches the push's lookup
 * margin for clock skew (push-lookup.ts).
 */
export function insertSql(t: InboundTable): string {
  const fields = live(t);
  const cols = ['sfid', ...fields.map((f) => q(f.column)), 'systemmodstamp', 'isdeleted', 'createddate', '_sfsync_state', '_sfsync_error'];
  const values = ['r.sfid', ...fields.map((f) => `r.${q(f.column)}::${f.pgType}`), 'r.systemmodstamp::timestamp(3)', 'r.isdeleted', 'r.createddate::timestamp(3)', "coalesce(r._state, 'synced')", 'r._error'];
  return [
    `insert into ${qualified(t)} (${cols.join(', ')})`,
    `select ${values.join(', ')}`,
    `from ${recordset(t)}`,
    `where not exists (select 1 from ${qualified(t)} as t where t.sfid = r.sfid)`,
    ...(t.externalIdColumn ? [] : [unresolvedLocalInsertGuard]),
    'on conflict (sfid) do nothing',
  ].join('\n');
}

const unresolvedLocalInsertGuard = [
  'and not exists (select 1 from sfsync.outbox as o',
  "  where o.mapping_id = $2 and o.op = 'insert'",
  "  and (o.state = 'pending' or (o.state = 'new' and o.unknown_since is not null))",
  "  and r.createddate::timestamp(3) >= (coalesce(o.unknown_since, o.claimed_at) - interval '5 minutes') at time zone 'UTC')",
].join('\n');

/** Delete rows of records deleted in Salesforce (delete_mode 'delete'), unless the row is newer. */
export function deleteSql(t: InboundTable): string {
  return [
    `delete from ${qualified(t)} as t`,
    'using jsonb_to_recordset($1::jsonb) as r(sfid text, systemmodstamp text)',
    'where t.sfid = r.sfid and (t.systemmodstamp is null or r.systemmodstamp is null or t.systemmodstamp <= r.systemmodstamp::timestamp(3))',
  ].join('\n');
}

/**
 * Lock the page's rows that exist already, before their open outbox rows are
 * read (read_write mappings), with the lock the UPDATE takes anyway. An app
 * transaction that changed one of them commits first, and the read that
 * follows (a new snapshot) sees its change and decides the conflict; one that
 * comes later waits for this apply and is captured against Salesforce's
 * values. Without it, a change committed between the read and the UPDATE was
 * overwritten in the column with no conflict recorded.
 */
export function lockRowsSql(t: InboundTable): string {
  return `select 1 from ${qualified(t)} where sfid = any($1::text[]) order by id for no key update`;
}

/** Open outbox rows of the page's records, oldest first (read_write mappings). */
export function pendingOutboxSql(t: InboundTable): string {
  return [
    'select o.id::text as id, t.sfid, o.state, o.op, o.changed, o.old, o.created_at, o.unknown_since',
    `from sfsync.outbox as o join ${qualified(t)} as t on t.id = o.record_id`,
    "where o.mapping_id = $1 and o.state in ('new', 'pending') and t.sfid = any($2::text[])",
    'order by o.id',
  ].join('\n');
}
