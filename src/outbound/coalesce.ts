/**
 * Merge successive captured changes of ONE record into the one operation to
 * send, where order allows (pure; no I/O):
 * - insert + updates → one insert with the latest values;
 * - updates → one update of the union of changed fields, latest value each;
 * - anything + delete → delete; insert (+ updates) + delete → nothing to send;
 * - a change after a delete (the id was reused) waits for the next round.
 */
import type { OutboxChange } from '../outbox/outbox.js';

export type { OutboxChange };

/** What one record's changes come down to. */
export interface CoalescedChange {
  recordId: string;
  /** `none`: an insert deleted before it was sent — nothing goes to Salesforce. */
  op: 'insert' | 'update' | 'delete' | 'none';
  /** Field API name → latest value. */
  values: Record<string, unknown>;
  /** The sfid captured with the changes (the delete's, or the latest known). */
  sfid: string | null;
  /** Every outbox row folded into this operation, in id order. */
  rowIds: string[];
  /** Rows after a delete: released unsent, for the next round. */
  deferredIds: string[];
  /** The earliest time an earlier attempt's outcome became unknown (crash, lost reply). */
  unknownSince: Date | null;
  /** The highest attempt count among the rows. */
  attempts: number;
  /** Set by the push when an update of a never-inserted row (its insert failed) is sent as an insert. */
  reinsert?: boolean;
  /**
   * A delete that folded in an insert of unknown outcome with no sfid: the
   * insert's values, by which the push looks up the record the lost call may
   * have created, to delete it (else it would outlive the row).
   */
  createdValues?: Record<string, unknown>;
}

/**
 * Coalesce one record's changes. They are merged in outbox id order whatever
 * order they come in: ids are bigints carried as strings, compared as numbers
 * (as text, '1000' < '700' and an older value would win).
 */
export function coalesceChanges(input: readonly OutboxChange[]): CoalescedChange {
  const changes = [...input].sort(byOutboxId);
  const first = changes[0];
  if (first === undefined) throw new Error('coalesceChanges needs at least one change.');
  const out: CoalescedChange = { recordId: first.recordId, op: first.op, values: {}, sfid: null, rowIds: [], deferredIds: [], unknownSince: null, attempts: 0 };
  let inserted = false;
  let deleted = false;
  for (const change of changes) {
    if (deleted) {
      out.deferredIds.push(change.id);
      continue;
    }
    out.rowIds.push(change.id);
    out.sfid = change.sfid ?? out.sfid;
    out.attempts = Math.max(out.attempts, change.attempts);
    if (change.unknownSince && (!out.unknownSince || change.unknownSince < out.unknownSince)) out.unknownSince = change.unknownSince;
    if (change.op === 'insert') {
      inserted = true;
      out.op = 'insert';
      Object.assign(out.values, change.changed);
    } else if (change.op === 'update') {
      out.op = inserted ? 'insert' : 'update';
      Object.assign(out.values, change.changed);
    } else {
      // An insert that was never confirmed and is now deleted needs nothing —
      // unless its outcome is unknown: then it may exist and must be deleted.
      out.op = inserted && !out.unknownSince && !out.sfid ? 'none' : 'delete';
      if (inserted && out.unknownSince && !out.sfid) out.createdValues = out.values;
      out.values = {};
      deleted = true;
    }
  }
  return out;
}

function byOutboxId(a: OutboxChange, b: OutboxChange): number {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}
