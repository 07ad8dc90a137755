/**
 * Which local rows a full snapshot of Salesforce (a reload's or a
 * reconcile's Bulk download) may declare gone when it lacks them.
 *
 * The download holds no lock, so while it runs polls apply and the write path
 * pushes: a record created in Salesforce after the Bulk job was created is
 * missing from the snapshot but very much alive. A row pushed meanwhile even
 * has an sfid (written back by the push) and no SystemModstamp (no poll has
 * read it back yet); taking it for deleted lost a parent row. So a row is
 * judged by the snapshot only when we KNOW its record existed before the
 * snapshot time:
 * - its systemmodstamp (Salesforce's, set only by inbound applies) is before
 *   it, or
 * - it has none, but the push that wrote its sfid committed before it (the
 *   record was created before the write-back began) — so a record
 *   hard-deleted before any poll read it does not stay forever;
 * and the write path has nothing to say about it: no open change (new, or
 * claimed = possibly in flight) and no change finished at or after the
 * snapshot time (a re-insert writes a NEW sfid and keeps the old stamp).
 * Rows with no sfid were never in Salesforce and are never candidates.
 * Everything kept here is settled by the next poll (the reload puts the
 * watermark back to the snapshot time) or the next reconcile.
 */
import { outboxSql } from '../outbox/outbox.js';
import { escapeIdentifier as q } from 'pg';

/** Parameters of {@link goneFromSnapshotSql}: `$n` placeholders of the statement it goes into. */
export interface GoneParams {
  /** The mapping id (bigint). */
  mappingId: string;
  /** The snapshot time (ISO text): rows stamped before it are in the snapshot if they still exist. */
  snapshot: string;
}

/**
 * The predicate on the live table aliased `t`: its record is absent from
 * `stage` (aliased `s`, keyed by sfid) and old enough for that to mean gone.
 *
 * @example
 * `delete from salesforce.account as t where ${goneFromSnapshotSql('sfsync_load_stage', { mappingId: '$1', snapshot: '$2' })}`
 */
export function goneFromSnapshotSql(stage: string, p: GoneParams): string {
  const before = `${p.snapshot}::timestamptz`;
  return [
    't.sfid is not null',
    `not exists (select 1 from ${q(stage)} as s where s.sfid = t.sfid)`,
    `(t.systemmodstamp < (${before} at time zone 'UTC')` +
      // IN, not EXISTS: inside an OR it runs as one hashed scan (finished rows have no per-record index).
      ` or (t.systemmodstamp is null and (t.id, t.sfid) in (${outboxSql.sentBefore(p.mappingId, before)})))`,
    `not ${outboxSql.openChangeExists(p.mappingId, 't.id')}`,
    `not ${outboxSql.finishedSinceExists(p.mappingId, 't.id', before)}`,
  ].join(' and ');
}
