/**
 * The outbox: the one TypeScript module that names `sfsync.outbox`.
 *
 * Every state change is one call of a SQL function (sql/migrations/1_baseline.sql
 * holds them, with a diagram of the states):
 *
 * | state     | means                                                          |
 * |-----------|----------------------------------------------------------------|
 * | `new`     | captured (or handed back), waiting for a push                  |
 * | `claimed` | a push holds it: being sent now                                |
 * | `success` | Salesforce has it (the record's last change of a round)        |
 * | `merged`  | sent inside a later change of the same record                  |
 * | `failed`  | Salesforce refused it for good; waits for retry or discard     |
 * | `ignored` | nothing left to send (Salesforce won every field), or discarded |
 *
 * "Pending" is not a state: it means not yet settled (`new` or `claimed`), as
 * the views' pending counts and a table row's `_sfsync_state` use it.
 *
 * Statements elsewhere that must read the outbox inside a larger query (the
 * inbound apply's open changes, a reload's merge) take their fragment from
 * here, so the table's name, its states and their indexes stay in one file.
 */
import type pg from 'pg';
import { OUTBOX_LIVE_STATES } from '../db/database.js';
import type { FieldInfo } from '../mapping/field-info.js';

/** States of an outbox row (the `sfsync.outbox_state` enum). */
export type OutboxState = 'new' | 'claimed' | 'success' | 'merged' | 'failed' | 'ignored';

/** Not yet settled: waiting for a push, or being sent. */
export const OPEN_STATES = `('new', 'claimed')`;

/** One captured change as a push reads it. */
export interface OutboxChange {
  id: string;
  recordId: string;
  sfid: string | null;
  op: 'insert' | 'update' | 'delete';
  changed: Record<string, unknown>;
  unknownSince: Date | null;
  attempts: number;
}

type Db = pg.ClientBase | pg.Pool;

/** Claim the due changes of up to `limit` records (sfsync.claim_outbox); grouped by record, each in outbox order. */
export async function claim(db: Db, mappingId: string, claimedBy: string, limit: number): Promise<OutboxChange[][]> {
  // `order by c.id`, the bigint: an unqualified `id` would name the text output
  // column and sort '1000' before '700', so an older value would be merged last.
  return claimed(db, `select ${CLAIMED_COLUMNS} from sfsync.claim_outbox($1, $2, $3) c order by c.id`, [mappingId, claimedBy, limit]);
}

/**
 * Claim a child mapping's never-sent inserts whose reference `fields` hold one
 * of `values` (`@<parent id>`), for composite graphs with their parents
 * (sfsync.claim_waiting_children; outbound/claim-families.ts); grouped by record.
 */
export async function claimWaitingChildren(
  db: Db,
  mappingId: string,
  claimedBy: string,
  fields: string[],
  values: string[],
  limit: number,
): Promise<OutboxChange[][]> {
  return claimed(db, `select ${CLAIMED_COLUMNS} from sfsync.claim_waiting_children($1, $2, $3, $4, $5) c order by c.id`, [
    mappingId,
    claimedBy,
    fields,
    values,
    limit,
  ]);
}

/** Whether another push holds such children now (sfsync.waiting_children_in_flight): they may be handed back in a moment. */
export async function waitingChildrenInFlight(db: Db, mappingId: string, claimedBy: string, fields: string[], values: string[]): Promise<boolean> {
  const { rows } = await db.query<{ busy: boolean }>('select sfsync.waiting_children_in_flight($1, $2, $3, $4) as busy', [
    mappingId,
    claimedBy,
    fields,
    values,
  ]);
  return rows[0]?.busy === true;
}

/** Put claimed changes back to new as they were: never sent (sfsync.hand_back_claims). */
export async function handBackClaims(db: Db, outboxIds: string[]): Promise<number> {
  if (outboxIds.length === 0) return 0;
  return count(db, 'select sfsync.hand_back_claims($1::bigint[]) as n', [outboxIds]);
}

const CLAIMED_COLUMNS = 'c.id::text as id, c.record_id::text as record_id, c.sfid, c.op, c.changed, c.unknown_since, c.attempts';

async function claimed(db: Db, text: string, values: unknown[]): Promise<OutboxChange[][]> {
  const { rows } = await db.query<{
    id: string;
    record_id: string;
    sfid: string | null;
    op: OutboxChange['op'];
    changed: Record<string, unknown>;
    unknown_since: Date | null;
    attempts: number;
  }>(text, values);
  const byRecord = new Map<string, OutboxChange[]>();
  for (const r of rows) {
    const change: OutboxChange = {
      id: r.id,
      recordId: r.record_id,
      sfid: r.sfid,
      op: r.op,
      changed: r.changed,
      unknownSince: r.unknown_since,
      attempts: r.attempts,
    };
    const list = byRecord.get(r.record_id);
    if (list) list.push(change);
    else byRecord.set(r.record_id, [change]);
  }
  return [...byRecord.values()];
}

/** Take back the claims of a push that died or overran its lease (sfsync.recover_outbox). */
export async function recover(db: Db, mappingId: string): Promise<number> {
  return count(db, 'select sfsync.recover_outbox($1) as n', [mappingId]);
}

/** Hand a failed push's claims back as changes of unknown outcome (sfsync.release_claims). */
export async function releaseClaims(db: Db, mappingId: string, claimedBy: string): Promise<number> {
  return count(db, 'select sfsync.release_claims($1, $2) as n', [mappingId, claimedBy]);
}

/** A push round's outcome per outbox row, as parallel arrays (sfsync.settle_outbox). */
export interface Settlement {
  ids: string[];
  states: Array<'new' | 'success' | 'merged' | 'failed'>;
  sfids: Array<string | null>;
  /** JSON text of the error, or null. */
  errors: Array<string | null>;
  /** Attempts to add. */
  incs: number[];
  /** Next attempt of a row back to new; null keeps it. */
  nexts: Array<Date | null>;
  /** The outcome is unknown: the row is looked up before it is sent again. */
  unknown: boolean[];
}

/** Record a push round's outcomes (sfsync.settle_outbox). */
export async function settle(db: Db, s: Settlement): Promise<number> {
  return count(db, 'select sfsync.settle_outbox($1, $2::sfsync.outbox_state[], $3, $4::jsonb[], $5, $6, $7) as n', [
    s.ids,
    s.states,
    s.sfids,
    s.errors,
    s.incs,
    s.nexts,
    s.unknown,
  ]);
}

/** Mark merged the failed changes of records a re-insert carries (sfsync.merge_failed). */
export async function mergeFailed(db: Db, mappingId: string, recordIds: string[]): Promise<number> {
  return count(db, 'select sfsync.merge_failed($1, $2::bigint[]) as n', [mappingId, recordIds]);
}

/** Record that these settled changes went as inserts of these values, by outbox id (sfsync.record_reinsert). */
export async function recordReinserts(db: Db, reinserts: ReadonlyArray<{ outboxId: string; values: Record<string, unknown> }>): Promise<number> {
  if (reinserts.length === 0) return 0;
  return count(db, 'select sfsync.record_reinsert($1::bigint[], $2::jsonb[]) as n', [
    reinserts.map((r) => r.outboxId),
    reinserts.map((r) => JSON.stringify(r.values)),
  ]);
}

/** Drop fields Salesforce won from unsent changes (sfsync.drop_fields). */
export async function dropFields(db: Db, outboxIds: string[], fields: string[]): Promise<number> {
  return count(db, 'select sfsync.drop_fields($1::bigint[], $2::text[]) as n', [outboxIds, fields]);
}

/** Queue, behind changes in flight, the values Salesforce won of fields they carry (sfsync.queue_resend). */
export async function queueResend(db: Db, mappingId: string, resend: ReadonlyArray<{ outboxId: string; field: string }>): Promise<number> {
  if (resend.length === 0) return 0;
  return count(db, 'select sfsync.queue_resend($1, $2::jsonb) as n', [
    mappingId,
    JSON.stringify(resend.map((r) => ({ outbox_id: r.outboxId, field: r.field }))),
  ]);
}

/** Send again the PARENT_FAILED children of these parent rows that have an sfid now (sfsync.retry_orphans). */
export async function retryOrphans(db: Db, parentMappingId: string, parentIds: string[], childMappingIds?: string[]): Promise<number> {
  if (parentIds.length === 0) return 0;
  return count(db, 'select sfsync.retry_orphans($1, $2::bigint[], $3::bigint[]) as n', [parentMappingId, parentIds, childMappingIds ?? null]);
}

/**
 * Send again every PARENT_FAILED child whose parent row has an sfid now, by
 * whatever path it came (its own push, a poll matching it by External ID, a
 * reload): sfsync.retry_all_orphans, through retry_failed, which notifies the
 * engine. The push write-back heals at once the children of the parents it
 * inserts (outbound/write-back.ts, settleChildren); the outbox listener's
 * sweep calls this for every other way, and for any child marked failed just
 * as its parent's sfid arrived.
 */
export async function retryAllOrphans(db: Db): Promise<number> {
  return count(db, 'select sfsync.retry_all_orphans() as n', []);
}

/** Delete changes finished more than `keepHours` ago (sfsync.prune_outbox). */
export async function prune(db: Db, keepHours: number): Promise<number> {
  return count(db, 'select sfsync.prune_outbox(make_interval(hours => $1)) as n', [keepHours]);
}

/**
 * The last sfid that finished changes learned for these records: a row
 * deleted before its insert came back has it only there. One scan (finished
 * rows have no per-record index), so callers ask only for such rows.
 */
export async function learnedSfids(db: Db, mappingId: string, recordIds: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; sfid: string }>(
    `select distinct on (record_id) record_id::text as id, sfid from sfsync.outbox
      where mapping_id = $2 and record_id = any($1::bigint[]) and sfid is not null order by record_id, id desc`,
    [recordIds, mappingId],
  );
  return new Map(rows.map((r) => [r.id, r.sfid]));
}

/**
 * Of these sfids, those that changes of other records of the mapping carry
 * (any state): records sfsync already sent or matched for another row, which
 * a row deleted since no longer holds. One scan, as {@link learnedSfids}:
 * the push asks only for deleted records its lookup of an unknown outcome found.
 */
export async function sfidsOfOtherRecords(db: Db, mappingId: string, sfids: string[], recordIds: string[]): Promise<Set<string>> {
  if (sfids.length === 0) return new Set();
  const { rows } = await db.query<{ sfid: string }>(
    `select distinct sfid from sfsync.outbox where mapping_id = $1 and sfid = any($2::text[]) and record_id <> all($3::bigint[])`,
    [mappingId, sfids, recordIds],
  );
  return new Set(rows.map((r) => r.sfid));
}

/**
 * Margin for clock skew between Postgres (claim times) and Salesforce
 * (CreatedDate), in seconds: a record created up to this long before a local
 * insert was claimed may still be that insert. The push's lookup of inserts
 * of unknown outcome uses the same margin (find-created-records.ts).
 */
export const CLOCK_MARGIN_SECONDS = 300;

/**
 * The fields by which a record may be recognized as a local insert: the
 * object's name field when mapped and createable, else every createable
 * field that is not a lookup (a lookup may have been sent as its parent's
 * sfid or External ID, not as the column's `@<id>`).
 */
export function recognizingFields(fields: readonly FieldInfo[]): FieldInfo[] {
  const compared = fields.filter((f) => !f.removed && f.createable && !f.calculated && f.type !== 'reference');
  const name = compared.find((f) => f.nameField);
  return name ? [name] : compared;
}

/**
 * An insert or update captured but not yet moved into the outbox
 * (sfsync.outbox_logged; its two logs have no index: they are drained at
 * every claim, so they hold little).
 */
const loggedChangeExists = (mapping: string, recordId: string): string =>
  `exists (select 1 from sfsync.outbox_logged as l where l.mapping_id = ${mapping} and l.record_id = ${recordId})`;

/**
 * Move the mapping's logged inserts and updates into the outbox
 * (sfsync.drain_changes; the claim does it too). An inbound apply does it
 * after locking its page's rows, so the conflict rules see every unsent change.
 */
export async function drainChanges(db: Db, mappingId: string): Promise<number> {
  return count(db, 'select sfsync.drain_changes($1) as n', [mappingId]);
}

/**
 * Fragments for statements that read the outbox inside a larger query. Each
 * takes SQL expressions (a parameter such as `$1`, or a column such as
 * `t.id`) and names the states it wants, so it reaches a partial index.
 */
export const outboxSql = {
  /** True when the record has a change not yet settled (new or claimed), a logged one included. */
  openChangeExists: (mapping: string, recordId: string): string =>
    `(exists (select 1 from sfsync.outbox as o where o.mapping_id = ${mapping} and o.record_id = ${recordId} and o.state in ${OPEN_STATES})` +
    ` or ${loggedChangeExists(mapping, recordId)})`,

  /** True when the record has a change waiting for a push (new), a logged one included. */
  newChangeExists: (mapping: string, recordId: string): string =>
    `(exists (select 1 from sfsync.outbox as x where x.mapping_id = ${mapping} and x.record_id = ${recordId} and x.state = 'new')` +
    ` or ${loggedChangeExists(mapping, recordId)})`,

  /** True when one of the record's changes finished at or after `since`. */
  finishedSinceExists: (mapping: string, recordId: string, since: string): string =>
    `exists (select 1 from sfsync.outbox as o where o.mapping_id = ${mapping} and o.record_id = ${recordId} and o.done_at >= ${since})`,

  /** `(record_id, sfid)` pairs of changes Salesforce took before `before` (a reload tells a record deleted since). */
  sentBefore: (mapping: string, before: string): string =>
    `select o.record_id, o.sfid from sfsync.outbox as o where o.mapping_id = ${mapping} and o.state = 'success' and o.done_at < ${before}`,

  /** The last sfid a live change (new, claimed or failed) of the record carries: a delete carries the sfid the row had. */
  lastLiveSfid: (mapping: string, recordId: string): string =>
    `(select o.sfid from sfsync.outbox o where o.mapping_id = ${mapping} and o.record_id = ${recordId} and o.state in ${OUTBOX_LIVE_STATES} and o.sfid is not null order by o.id desc limit 1)`,

  /** The record's last failed change as `{id, error}`, or null. */
  lastFailedChange: (mapping: string, recordId: string): string =>
    `(select jsonb_build_object('id', o.id::text, 'error', o.error) from sfsync.outbox o where o.mapping_id = ${mapping} and o.record_id = ${recordId} and o.state = 'failed' order by o.id desc limit 1)`,

  /**
   * Open changes of the mapping's rows whose sfid is in `$2` (text[]), with
   * the table row's sfid, in outbox order: what an inbound apply decides
   * conflicts against. `table` is the quoted mapped table.
   */
  openChangesOfSfids: (table: string): string =>
    [
      'select o.id::text as id, t.sfid, o.state, o.op, o.changed, o.old, o.created_at, o.unknown_since',
      `from sfsync.outbox as o join ${table} as t on t.id = o.record_id`,
      `where o.mapping_id = $1 and o.state in ${OPEN_STATES} and t.sfid = any($2::text[])`,
      'order by o.id',
    ].join('\n'),

  /**
   * True when a record (its values as jsonb `recordJson`, its CreatedDate
   * `created`) may be an insert of this mapping in flight: an insert claimed,
   * or back to new with an unknown outcome, created since its claim less
   * `marginSeconds`, whose sent values of `keys` (text[] SQL) the record holds.
   */
  insertInFlightMatches: (p: { mapping: string; created: string; recordJson: string; keys: string; marginSeconds: number }): string =>
    [
      'exists (select 1 from sfsync.outbox as o',
      `  where o.mapping_id = ${p.mapping} and o.op = 'insert'`,
      "  and (o.state = 'claimed' or (o.state = 'new' and o.unknown_since is not null))",
      `  and ${p.created} >= (coalesce(o.unknown_since, o.claimed_at) - interval '${p.marginSeconds} seconds') at time zone 'UTC'`,
      `  and ${p.recordJson} @> coalesce((select jsonb_object_agg(e.key, e.value order by x.id)`,
      '    from sfsync.outbox as x cross join jsonb_each(x.changed) as e',
      "    where x.mapping_id = o.mapping_id and x.record_id = o.record_id and (x.state = 'claimed' or (x.state = 'new' and x.unknown_since is not null))",
      `    and e.key = any(${p.keys})), '{}'::jsonb))`,
    ].join('\n'),
};

async function count(db: Db, text: string, values: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: string | number | null }>(text, values);
  return Number(rows[0]?.n ?? 0);
}
