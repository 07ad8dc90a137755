/**
 * SQL of the initial load / reload (pure): the COPY column list, the staging
 * table, and the merge from staging into the live table in the load's single
 * transaction — readers see the old rows until COMMIT, then the new ones;
 * never an empty or half table.
 *
 * The download runs without the mapping's apply lock, so polls keep applying
 * while it runs (minutes for 1M rows). The merge therefore never lets the
 * snapshot overwrite a row whose systemmodstamp is newer than the staged one,
 * and only removes rows known to predate the snapshot (snapshot-gone.ts): a
 * record a poll inserted or a push created during the download is missing
 * from the snapshot but not gone.
 */
import { outboxSql } from '../outbox/outbox.js';
import { escapeIdentifier as q } from 'pg';
import type { FieldInfo } from '../mapping/field-info.js';
import { deferSql, heldBackSql, qualified, type InboundTable } from './apply-sql.js';
import { goneFromSnapshotSql } from './snapshot-gone.js';
import { feedDeleteSql, feedInsertSql, feedUpdateSql, type FeedTarget } from './feed-sql.js';

/** The staging table (temporary, dropped at commit). */
export const STAGE = 'sfsync_load_stage';

/**
 * Columns the load writes, in COPY order. A backfill stages systemmodstamp
 * too, only to compare it (it never sets it: the other columns are not re-read).
 */
export function loadColumns(fields: readonly FieldInfo[], backfill: boolean): string[] {
  const mapped = fields.filter((f) => !f.removed).map((f) => f.column);
  return backfill ? ['sfid', ...mapped, 'systemmodstamp'] : ['sfid', ...mapped, 'systemmodstamp', 'isdeleted', 'createddate', '_sfsync_state', '_sfsync_error'];
}

/** Not older than the staged snapshot row (a poll may have applied a newer version meanwhile). */
const NOT_NEWER = '(t.systemmodstamp is null or s.systemmodstamp is null or t.systemmodstamp <= s.systemmodstamp)';

/** `create temp table … as select <columns> from <table> with no data` (same column types). */
export function createStageSql(t: InboundTable, columns: readonly string[]): string {
  return `create temp table ${STAGE} on commit drop as select ${columns.map(q).join(', ')} from ${qualified(t)} with no data`;
}

/** `copy <target> (<columns>) from stdin`. */
export function copySql(target: string, columns: readonly string[]): string {
  return `copy ${target} (${columns.map(q).join(', ')}) from stdin`;
}

const OPEN_OUTBOX = (t: string) => `not ${outboxSql.openChangeExists('$1', `${t}.id`)}`;

/** One merge statement with its parameters. */
export interface MergeStatement {
  text: string;
  values: unknown[];
  /** It appends to the change feed and returns the rows it changed as `n` (feed-sql.ts), not as its row count. */
  counted?: true;
}

/**
 * The merge statements, in order. `snapshot` is when the Bulk job was created
 * (less the upper lag): rows stamped before it are in the snapshot if they still exist. Rows with unsent
 * Postgres changes are left alone (their push and the next poll settle them).
 * A backfill only updates the given columns of existing rows.
 */
export function mergeSql(
  t: InboundTable & { deleteMode: 'delete' | 'mark'; mode: 'read_only' | 'read_write' },
  columns: readonly string[],
  backfill: boolean,
  mappingId: string,
  snapshot: Date,
  feed?: FeedTarget,
): MergeStatement[] {
  const table = qualified(t);
  const data = columns.filter((c) => c !== 'sfid' && !(backfill && c === 'systemmodstamp'));
  const set = data.map((c) => `${q(c)} = s.${q(c)}`).join(', ');
  const differs = `(${data.map((c) => `t.${q(c)}`).join(', ')}) is distinct from (${data.map((c) => `s.${q(c)}`).join(', ')})`;
  // With the feed, the old row `o` is read beside the staged one, to name the fields that change (feed-sql.ts).
  const updateText = `update ${table} as t set ${set} from ${STAGE} as s${feed ? `, ${table} as o` : ''} where t.sfid = s.sfid${feed ? ' and o.id = t.id' : ''} and ${differs} and ${NOT_NEWER} and ${OPEN_OUTBOX('t')}`;
  const update: MergeStatement = feed
    ? { text: feedUpdateSql(t.fields, feed, updateText), values: [mappingId], counted: true }
    : { text: updateText, values: [mappingId] };
  if (backfill) return [update];
  const statements: MergeStatement[] = [];
  if (t.externalIdColumn && data.includes(t.externalIdColumn)) {
    const ext = q(t.externalIdColumn);
    statements.push({
      text: `update ${table} as t set sfid = s.sfid from ${STAGE} as s where t.sfid is null and s.${ext} is not null and t.${ext} = s.${ext} and not exists (select 1 from ${table} as x where x.sfid = s.sfid)`,
      values: [],
    });
  }
  statements.push(update);
  const insert = `insert into ${table} (${columns.map(q).join(', ')}) select ${columns.map((c) => `s.${q(c)}`).join(', ')} from ${STAGE} as s where not exists (select 1 from ${table} as t where t.sfid = s.sfid)`;
  const fed = (text: string, values: unknown[]): MergeStatement =>
    feed ? { text: feedInsertSql(t.fields, feed, text), values, counted: true } : { text, values };
  if (t.externalIdColumn || t.mode === 'read_only') statements.push(fed(insert, []));
  else {
    // A record that may be a local insert in flight waits, as in a poll (apply-sql.ts insertSql).
    statements.push(fed(`${insert} and not ${heldBackSql(t, '$1', 's')}`, [mappingId]));
    statements.push({ text: deferSql(t, `${STAGE} as r`, '$1'), values: [mappingId] });
  }
  // Rows whose record is gone from Salesforce (hard-deleted, purged, or deleted in 'delete' mode):
  // only rows known to predate the snapshot and untouched by the write path (snapshot-gone.ts) —
  // a record created during the download, by a poll or by a push, is kept.
  const gone = goneFromSnapshotSql(STAGE, { mappingId: '$1', snapshot: '$2' });
  const goneText =
    t.deleteMode === 'delete' ? `delete from ${table} as t where ${gone}` : `update ${table} as t set isdeleted = true where ${gone} and not t.isdeleted`;
  statements.push({
    text: feed ? feedDeleteSql(feed, goneText, 'null::timestamp(3)') : goneText,
    values: [mappingId, snapshot.toISOString()],
    ...(feed ? { counted: true as const } : {}),
  });
  return statements;
}
