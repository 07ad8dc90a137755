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
import { CLOCK_MARGIN_SECONDS, outboxSql, recognizingFields } from '../outbox/outbox.js';
import { escapeIdentifier } from 'pg';
import type { FieldInfo } from '../mapping/field-info.js';
import { feedDeleteSql, feedInsertSql, feedUpdateSql, type FeedTarget } from './feed-sql.js';

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

/**
 * Update rows matched by sfid when the incoming stamp is not older and some value differs (echoes are no-ops).
 * With `feed`, the statement also appends each changed row to the change feed and returns its count as `n` (feed-sql.ts).
 */
export function updateBySfidSql(t: InboundTable, feed?: FeedTarget): string {
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
  const after = [
    ...fields.map(newValue),
    'r.systemmodstamp::timestamp(3)',
    'r.isdeleted',
    'coalesce(r._state, t._sfsync_state)',
    'case when r._state is null then t._sfsync_error else r._error end',
  ];
  const update = [
    `update ${qualified(t)} as t set ${sets.join(', ')}`,
    // The feed compares with the row as it was: `o`, the same row read by the statement's snapshot.
    `from ${recordset(t)}${feed ? `, ${qualified(t)} as o` : ''}`,
    `where t.sfid = r.sfid${feed ? ' and o.id = t.id' : ''}`,
    'and (t.systemmodstamp is null or r.systemmodstamp::timestamp(3) >= t.systemmodstamp)',
    `and (${before.join(', ')}) is distinct from (${after.join(', ')})`,
  ].join('\n');
  return feed ? feedUpdateSql(t.fields, feed, update) : update;
}

/**
 * Give rows inserted from Postgres (sfid still null) their sfid by External ID,
 * so the insert never duplicates them. It runs before the conflict rules
 * (apply-page.ts), which then see the attached row's open changes.
 */
export function attachByExternalIdSql(t: InboundTable): string | undefined {
  const field = externalIdField(t);
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
 * Such records are held back ({@link heldBackSql}) and written to
 * `sfsync.deferred_inserts` ({@link deferSql}): the push adopts them by lookup
 * and writes the sfid back, and the next poll after the insert settles
 * fetches whatever nobody adopted by Id (inbound/release-deferred.ts).
 */
export function insertSql(t: InboundTable, feed?: FeedTarget): string {
  const fields = live(t);
  const cols = ['sfid', ...fields.map((f) => q(f.column)), 'systemmodstamp', 'isdeleted', 'createddate', '_sfsync_state', '_sfsync_error'];
  const values = [
    'r.sfid',
    ...fields.map((f) => `r.${q(f.column)}::${f.pgType}`),
    'r.systemmodstamp::timestamp(3)',
    'r.isdeleted',
    'r.createddate::timestamp(3)',
    "coalesce(r._state, 'synced')",
    'r._error',
  ];
  const insert = [
    `insert into ${qualified(t)} (${cols.join(', ')})`,
    `select ${values.join(', ')}`,
    `from ${recordset(t)}`,
    `where not exists (select 1 from ${qualified(t)} as t where t.sfid = r.sfid)`,
    ...(t.externalIdColumn ? [] : [`and not ${heldBackSql(t, '$2')}`]),
    'on conflict (sfid) do nothing',
  ].join('\n');
  return feed ? feedInsertSql(t.fields, feed, insert) : insert;
}

/**
 * `exists (…)`, over the page's record `r` (or `alias`): a local insert of mapping
 * `mappingParam` with an unresolved outcome (in flight, or unknown) that `r`
 * may be: the push's lookup could adopt it (find-created-records.ts). That is when
 * Salesforce created `r` no earlier than the insert's claim (less
 * {@link CLOCK_MARGIN_SECONDS}) and `r` holds what the insert sent in the
 * fields {@link recognizingFields} names: the object's name field when it is
 * mapped (the lookup's second test, for a record edited in Salesforce before
 * its Id came back), else every value sent. Any other record, say one a
 * Salesforce user created meanwhile under another name, goes in at once.
 *
 * The values sent are the claimed changes of the insert's row merged in
 * outbox order (`claimed`, or `new` with `unknown_since` after a lost reply
 * or a crash). Both sides are the column types' jsonb, so `7.25`,
 * `'2024-01-02T03:04:05.123'` and null compare as the capture trigger wrote
 * them. Cost: (new records of the page) × (unresolved inserts), paid only
 * while both sides insert into a mapping without an External ID.
 */
export function heldBackSql(t: InboundTable, mappingParam: string, alias = 'r'): string {
  const compared = recognizingFields(t.fields);
  const keys = compared.length > 0 ? `array[${compared.map((f) => lit(f.name)).join(', ')}]` : 'array[]::text[]';
  return outboxSql.insertInFlightMatches({
    mapping: mappingParam,
    created: `${alias}.createddate::timestamp(3)`,
    recordJson: recordValuesJson(compared, alias),
    keys,
    marginSeconds: CLOCK_MARGIN_SECONDS,
  });
}

/** `jsonb_build_object('Name', r."name"::varchar(255), …)` over `fields`, in calls of at most 50 pairs (Postgres passes at most 100 arguments). */
function recordValuesJson(fields: readonly FieldInfo[], alias: string): string {
  if (fields.length === 0) return "'{}'::jsonb";
  const calls: string[] = [];
  for (let i = 0; i < fields.length; i += 50) {
    calls.push(
      `jsonb_build_object(${fields
        .slice(i, i + 50)
        .map((f) => `${lit(f.name)}, ${alias}.${q(f.column)}::${f.pgType}`)
        .join(', ')})`,
    );
  }
  return calls.length === 1 ? calls[0]! : `(${calls.join(' || ')})`;
}

/**
 * Remember the records still not in the table after the insert (held back by
 * {@link heldBackSql}), in the same transaction. `source` is a FROM item
 * aliased `r` with `sfid` and `createddate` (default: the page's recordset
 * `$1`; a reload passes its staging table), `mappingParam` the mapping id.
 * Mappings with an External ID hold nothing back and skip it.
 */
export function deferSql(t: InboundTable, source = 'jsonb_to_recordset($1::jsonb) as r(sfid text, createddate text)', mappingParam = '$2'): string {
  return [
    'insert into sfsync.deferred_inserts (mapping_id, sfid, createddate)',
    `select ${mappingParam}, r.sfid, r.createddate::timestamp(3) from ${source}`,
    `where not exists (select 1 from ${qualified(t)} as t where t.sfid = r.sfid)`,
    'on conflict (mapping_id, sfid) do nothing',
  ].join('\n');
}

/** Delete rows of records deleted in Salesforce (delete_mode 'delete'), unless the row is newer. */
export function deleteSql(t: InboundTable, feed?: FeedTarget): string {
  const text = [
    `delete from ${qualified(t)} as t`,
    'using jsonb_to_recordset($1::jsonb) as r(sfid text, systemmodstamp text)',
    'where t.sfid = r.sfid and (t.systemmodstamp is null or r.systemmodstamp is null or t.systemmodstamp <= r.systemmodstamp::timestamp(3))',
  ].join('\n');
  return feed ? feedDeleteSql(feed, text) : text;
}

/**
 * Lock the page's rows that exist already, in id order, before anything else
 * of the apply (read_write mappings). This is the first step of the one lock
 * order every writer of a mapped table and its outbox rows follows: mapped
 * rows by id, then outbox rows (the push's write-back locks its rows the same
 * way), so an apply and a write-back never deadlock. `for update`, the
 * strongest mode the apply's statements take (the External ID attach sets
 * the unique sfid), so no statement after it has to upgrade a lock.
 *
 * It also closes a race: an app transaction that changed one of the rows
 * commits first, and the read of open outbox rows that follows (a new
 * snapshot) sees its change and decides the conflict; one that comes later
 * waits for this apply and is captured against Salesforce's values. Without
 * it, a change committed between that read and the UPDATE was overwritten in
 * the column with no conflict recorded.
 */
export function lockRowsSql(t: InboundTable): string {
  const field = externalIdField(t);
  // With an External ID the page also touches the local rows it attaches ($2: the records' External ID values).
  const attaching = field ? ` or (sfid is null and ${q(field.column)} = any(($2::text[])::${field.pgType}[]))` : '';
  return `select 1 from ${qualified(t)} where sfid = any($1::text[])${attaching} order by id for update`;
}

/** The mapping's live External ID field, if it has one. */
export function externalIdField(t: InboundTable): FieldInfo | undefined {
  return live(t).find((f) => f.column === t.externalIdColumn);
}
