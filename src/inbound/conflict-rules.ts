/**
 * Conflict rules (pure): a record changed in Postgres (open outbox rows) and
 * polled from Salesforce. Per field:
 * - changed in Postgres only (Salesforce still has the value Postgres started
 *   from): keep Postgres's value — the pending push carries it;
 * - both sides equal: nothing to decide;
 * - changed on both sides: the mapping's policy decides (`salesforce_wins`
 *   default, `postgres_wins`, `newest_wins` by SystemModstamp vs the outbox
 *   row's time), and the decision is recorded with both values.
 * Fields changed in Salesforce only merge by the normal apply.
 *
 * "Salesforce still has the value Postgres started from" also holds when
 * Salesforce has a value that reached it from sfsync itself, or that sfsync
 * is about to send back to it: a change in flight ('claimed'), or one whose
 * send had an unknown outcome (back to 'new' after a crash or a lost reply,
 * `unknownSince` set), has landed or may have, and rows captured after it
 * start from values Postgres held
 * since (one of them may be Salesforce's own value, queued again by an
 * earlier decision: see `resend`). So Salesforce counts as changed only when
 * its value is none of: the oldest open row's old value, a value in flight,
 * the old value of a row captured after one in flight.
 *
 * When Salesforce wins a field that a change in flight carries, dropping the
 * field from the unsent rows is not enough: the in-flight value still lands
 * and overwrites the winner. `resend` names those fields; the apply queues
 * one more change that sends the winning value again after it. A change of
 * unknown outcome counts as in flight here too: its field is not dropped (it
 * may be in Salesforce, and the change feed copies the change as sent once
 * the push settles it), and the winner is queued behind it. The push then
 * merges the two, the later value winning.
 */
import type { FieldInfo } from '../mapping/field-info.js';

/** A mapping's conflict policy. */
export type ConflictPolicy = 'salesforce_wins' | 'postgres_wins' | 'newest_wins';

/**
 * `newest_wins` compares at Salesforce's precision. SystemModstamp has whole
 * seconds (docs/salesforce-wire.md, "SystemModstamp precision"): an edit at 12:00:05.700 reads 12:00:05.
 * The Postgres change's time is cut to the second as well, and a tie goes to
 * Salesforce. Comparing its milliseconds with a cut stamp would let Postgres
 * win every same-second race, even when the Salesforce edit came later.
 */
const wholeSecond = (d: Date): number => Math.floor(d.getTime() / 1000) * 1000;

/** An open outbox row of the record, oldest first. */
export interface PendingChange {
  outboxId: string;
  state: 'new' | 'claimed';
  op: 'insert' | 'update' | 'delete';
  /** New values by Salesforce field name (jsonb as returned by pg). */
  changed: Record<string, unknown>;
  /** Previous values by Salesforce field name; null for inserts. */
  old: Record<string, unknown> | null;
  createdAt: Date;
  /** Set when an earlier send of this change had an unknown outcome: it may be in Salesforce already. */
  unknownSince?: Date | null;
}

/** A change that is in Salesforce already or may be: in flight, or sent before with an unknown outcome. */
const mayHaveLanded = (p: PendingChange) => p.state === 'claimed' || Boolean(p.unknownSince);

/** One decided conflict. */
export interface Conflict {
  field: string;
  pgValue: unknown;
  sfValue: string | null;
  decision: 'salesforce' | 'postgres';
}

/** What the apply does for this record. */
export interface ConflictOutcome {
  /** Columns to keep as they are in Postgres. */
  keepColumns: string[];
  /** Fields to drop from the record's unsent outbox rows ({@link ConflictOutcome.dropFrom}): Salesforce won them. */
  dropFromOutbox: string[];
  /** The outbox rows to drop them from: those that cannot have landed (neither in flight nor of unknown outcome). */
  dropFrom: string[];
  /**
   * Fields Salesforce won that a change that may have landed also carries (in
   * flight, 'claimed', or sent with an unknown outcome): each with the outbox
   * row whose value lands last (the value that lost).
   * The apply sends Salesforce's value again after it.
   */
  resend: Array<{ field: string; outboxId: string }>;
  conflicts: Conflict[];
}

/** Compare a Postgres-side jsonb value with an inbound text value, by type. */
export function sameValue(field: FieldInfo, pgValue: unknown, sfText: string | null): boolean {
  if (pgValue === null || pgValue === undefined || pgValue === '') return sfText === null || sfText === '';
  if (sfText === null) return false;
  switch (field.pgType) {
    case 'boolean':
      return String(pgValue) === sfText;
    case 'integer':
    case 'bigint':
    case 'double precision':
      return Number(pgValue) === Number(sfText);
    case 'timestamp(3)':
      return Date.parse(`${String(pgValue).replace(' ', 'T').replace(/Z$/, '')}Z`) === Date.parse(`${sfText.replace(' ', 'T')}Z`);
    default:
      if (field.pgType.startsWith('numeric')) return Number(pgValue) === Number(sfText);
      return String(pgValue) === sfText;
  }
}

/** Decide every field changed in Postgres and not yet sent. */
export function decideConflicts(input: {
  policy: ConflictPolicy;
  fields: readonly FieldInfo[];
  sfValues: Record<string, string | null>;
  sfModstamp: Date | null;
  pending: readonly PendingChange[];
}): ConflictOutcome {
  const outcome: ConflictOutcome = { keepColumns: [], dropFromOutbox: [], dropFrom: [], resend: [], conflicts: [] };
  for (const field of input.fields) {
    const touching = input.pending.filter((p) => p.op !== 'delete' && field.name in p.changed);
    const first = touching[0];
    const last = touching[touching.length - 1];
    if (!first || !last || !(field.column in input.sfValues)) continue;
    const pgValue = last.changed[field.name];
    const sfValue = input.sfValues[field.column] ?? null;
    if (sameValue(field, pgValue, sfValue)) continue;
    if (!sfChangedSince(field, touching, sfValue)) {
      outcome.keepColumns.push(field.column);
      continue;
    }
    const sfWins =
      input.policy === 'salesforce_wins' ||
      (input.policy === 'newest_wins' && input.sfModstamp !== null && input.sfModstamp.getTime() >= wholeSecond(last.createdAt));
    outcome.conflicts.push({ field: field.name, pgValue, sfValue, decision: sfWins ? 'salesforce' : 'postgres' });
    if (!sfWins) {
      outcome.keepColumns.push(field.column);
      continue;
    }
    outcome.dropFromOutbox.push(field.name);
    const landing = touching.filter(mayHaveLanded).at(-1);
    if (landing) outcome.resend.push({ field: field.name, outboxId: landing.outboxId });
  }
  if (outcome.dropFromOutbox.length > 0) outcome.dropFrom = input.pending.filter((p) => !mayHaveLanded(p)).map((p) => p.outboxId);
  return outcome;
}

/**
 * Whether Salesforce's value differs from every value it can hold without a
 * Salesforce user's edit (module comment). `touching`: the record's open rows
 * that carry the field, oldest first. An insert has no old value: with
 * nothing in flight, any differing Salesforce value is a change.
 */
function sfChangedSince(field: FieldInfo, touching: readonly PendingChange[], sfValue: string | null): boolean {
  const known: unknown[] = [];
  const first = touching[0];
  if (first?.old) known.push(first.old[field.name]);
  const inFlight = touching.findIndex(mayHaveLanded);
  if (inFlight >= 0) {
    for (const p of touching.slice(inFlight)) {
      if (mayHaveLanded(p)) known.push(p.changed[field.name]);
      else if (p.old && field.name in p.old) known.push(p.old[field.name]);
    }
  }
  return !known.some((value) => value !== undefined && sameValue(field, value, sfValue));
}
