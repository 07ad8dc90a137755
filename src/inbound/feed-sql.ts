/**
 * The inbound apply's statements when the change feed is on (pure; tests
 * assert the text). Each wraps the plain statement of apply-sql.ts in a
 * data-modifying CTE that appends one `sfsync.feed_pending` entry per row it
 * changed, in the same statement (no extra round trip), and returns the
 * count of rows changed as `n`, so the apply's counters stay what they were.
 *
 * An update's entry carries the fields whose value changed, with their new
 * values (one comparison per field of the row after and before), and is left
 * out when only sfsync's own columns changed; a record deleted in mark mode
 * is an entry with op `delete`. An insert's carries its non-null values.
 */
import { escapeIdentifier as q } from 'pg';
import type { FieldInfo } from '../mapping/field-info.js';

/** What an inbound feed entry says besides the row: the mapping it came through. */
export interface FeedTarget {
  connectionId: string;
  mappingId: string;
  sobject: string;
}

const lit = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** `jsonb_build_object('Name', <alias>."name", …)` in calls of at most 50 pairs (Postgres passes at most 100 arguments); no alias: bare columns. */
function valuesJson(fields: readonly FieldInfo[], alias?: string): string {
  if (fields.length === 0) return "'{}'::jsonb";
  const calls: string[] = [];
  for (let i = 0; i < fields.length; i += 50) {
    calls.push(
      `jsonb_build_object(${fields
        .slice(i, i + 50)
        .map((f) => `${lit(f.name)}, ${alias ? `${alias}.` : ''}${q(f.column)}`)
        .join(', ')})`,
    );
  }
  return calls.length === 1 ? calls[0]! : `(${calls.join(' || ')})`;
}

/**
 * The fields whose value differs between `t` (after) and `o` (before), with the new values:
 * one comparison per field, as the capture trigger does (a jsonb diff of whole rows cost the apply a third more).
 */
function changedJson(fields: readonly FieldInfo[]): string {
  if (fields.length === 0) return "'{}'::jsonb";
  return `(${fields
    .map((f) => `case when t.${q(f.column)} is distinct from o.${q(f.column)} then jsonb_build_object(${lit(f.name)}, t.${q(f.column)}) else '{}'::jsonb end`)
    .join(' || ')})`;
}

const live = (fields: readonly FieldInfo[]) => fields.filter((f) => !f.removed);

/** `insert into sfsync.feed_pending … select … from applied a`, the entries' common part. */
function append(feed: FeedTarget, op: string, changed: string, where = ''): string {
  return [
    'fed as (',
    '  insert into sfsync.feed_pending (connection_id, mapping_id, sobject, sfid, record_id, direction, op, changed, systemmodstamp)',
    `  select ${lit(feed.connectionId)}::bigint, ${lit(feed.mappingId)}::bigint, ${lit(feed.sobject)}, a.sfid, a.id, 'inbound', ${op}, ${changed}, a.systemmodstamp`,
    `  from applied a${where} order by a.id`,
    ')',
    'select count(*)::int as n from applied',
  ].join('\n');
}

/** The update of apply-sql.ts (its FROM holds the old row as `o`) with a feed entry per changed row. */
export function feedUpdateSql(mapped: readonly FieldInfo[], feed: FeedTarget, update: string): string {
  const fields = live(mapped);
  return [
    'with applied as (',
    update,
    `returning t.id, t.sfid, t.systemmodstamp, t.isdeleted and not o.isdeleted as deleted, o.systemmodstamp as old_stamp,`,
    `  ${changedJson(fields)} as changed`,
    '),',
    append(
      feed,
      "case when a.deleted then 'delete' else 'update' end::sfsync.outbox_op",
      'a.changed',
      " where a.deleted or a.changed <> '{}'::jsonb or a.systemmodstamp is distinct from a.old_stamp",
    ),
  ].join('\n');
}

/** The insert of apply-sql.ts with a feed entry per inserted row (its non-null values). */
export function feedInsertSql(mapped: readonly FieldInfo[], feed: FeedTarget, insert: string): string {
  // Bare column names: RETURNING of an INSERT sees only its target table.
  return [
    'with applied as (',
    insert,
    `returning id, sfid, systemmodstamp, jsonb_strip_nulls(${valuesJson(live(mapped))}) as changed`,
    '),',
    append(feed, "'insert'::sfsync.outbox_op", 'a.changed'),
  ].join('\n');
}

/**
 * A delete of rows (target `t`), or an update marking them deleted (mark mode), with a feed entry `delete` per row.
 * `stamp`: the record's SystemModstamp as the statement knows it (default the page's `r.systemmodstamp`; a reload's or
 * reconciliation's "gone from the snapshot" has none).
 */
export function feedDeleteSql(feed: FeedTarget, del: string, stamp = 'r.systemmodstamp::timestamp(3)'): string {
  return ['with applied as (', del, `returning t.id, t.sfid, ${stamp} as systemmodstamp`, '),', append(feed, "'delete'::sfsync.outbox_op", "'{}'::jsonb")].join(
    '\n',
  );
}
