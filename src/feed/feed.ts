/**
 * The change feed (sql/migrations/3_change_feed.sql): one entry per change
 * sfsync applied to a mapped table (inbound) or pushed to Salesforce
 * (outbound), read by named subscribers with cursors of their own.
 *
 * Writers append to `sfsync.feed_pending` inside the transaction that makes
 * the change; positions are given when entries settle (`sfsync.feed_settle`,
 * run by every read), so they are monotonic and gap-free in the order
 * readers see them. Each reader call here is one SQL function call.
 *
 * @example
 * await subscribe(pool, 'billing');
 * const entries = await read(pool, 'billing', 100);
 * if (entries.length > 0) await ack(pool, 'billing', entries.at(-1)!.position);
 */
import type pg from 'pg';

/** The channel `sfsync.feed_pending`'s trigger notifies on each appending statement. */
export const FEED_CHANNEL = 'sfsync:feed';

/** One settled feed entry. */
export interface FeedEntry {
  /** Monotonic, gap-free position (bigint as a string). */
  position: string;
  connectionId: string;
  mappingId: string;
  sobject: string;
  sfid: string | null;
  /** The mapped table row's `id` (bigint as a string). */
  recordId: string | null;
  direction: 'inbound' | 'outbound';
  op: 'insert' | 'update' | 'delete';
  /** Changed fields with their new values, by Salesforce field name. */
  changed: Record<string, unknown>;
  /** The record's SystemModstamp (inbound; null for outbound until a poll reads it), ISO text without zone. */
  systemmodstamp: string | null;
  appendedAt: Date;
}

type Db = pg.Pool | pg.ClientBase;

/**
 * A record's values after its entries, taken in feed order, as a reader keeps
 * them: an insert carries the record's values and starts it over, an update
 * the fields it changed.
 */
export function foldEntries(entries: Iterable<Pick<FeedEntry, 'op' | 'changed'>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const e of entries) {
    if (e.op === 'insert') for (const k of Object.keys(values)) delete values[k];
    Object.assign(values, e.changed);
  }
  return values;
}

/** Create subscriber `name` at the feed's end (or its oldest kept entry); an existing one keeps its cursor. Returns its position. */
export async function subscribe(db: Db, name: string, fromStart = false): Promise<string> {
  const { rows } = await db.query<{ position: string }>('select sfsync.feed_subscribe($1, $2)::text as position', [name, fromStart]);
  return rows[0]!.position;
}

/** Up to `max` entries after the subscriber's cursor (sfsync.feed_read); throws when it fell behind retention. */
export async function read(db: Db, subscriber: string, max: number): Promise<FeedEntry[]> {
  const { rows } = await db.query<{
    position: string;
    connection_id: string;
    mapping_id: string;
    sobject: string;
    sfid: string | null;
    record_id: string | null;
    direction: FeedEntry['direction'];
    op: FeedEntry['op'];
    changed: Record<string, unknown>;
    systemmodstamp: string | null;
    appended_at: Date;
  }>(
    `select position::text, connection_id::text, mapping_id::text, sobject, sfid, record_id::text, direction, op, changed,
            to_char(systemmodstamp, 'YYYY-MM-DD"T"HH24:MI:SS.MS') as systemmodstamp, appended_at
       from sfsync.feed_read($1, $2)`,
    [subscriber, max],
  );
  return rows.map((r) => ({
    position: r.position,
    connectionId: r.connection_id,
    mappingId: r.mapping_id,
    sobject: r.sobject,
    sfid: r.sfid,
    recordId: r.record_id,
    direction: r.direction,
    op: r.op,
    changed: r.changed,
    systemmodstamp: r.systemmodstamp,
    appendedAt: r.appended_at,
  }));
}

/** Move the subscriber's cursor to `position` (never back): every entry up to it is handled (sfsync.feed_ack). */
export async function ack(db: Db, subscriber: string, position: string): Promise<void> {
  await db.query('select sfsync.feed_ack($1, $2)', [subscriber, position]);
}

/** Append the pushed changes among these outbox rows, inside the write-back's transaction (sfsync.feed_append_pushed). */
export async function appendPushed(db: Db, outboxIds: readonly string[]): Promise<number> {
  if (outboxIds.length === 0) return 0;
  const { rows } = await db.query<{ n: number }>('select sfsync.feed_append_pushed($1::bigint[]) as n', [outboxIds]);
  return Number(rows[0]?.n ?? 0);
}

/** Delete entries settled more than `keepHours` ago (sfsync.feed_prune). */
export async function prune(db: Db, keepHours: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select sfsync.feed_prune(make_interval(hours => $1)) as n', [keepHours]);
  return Number(rows[0]?.n ?? 0);
}
