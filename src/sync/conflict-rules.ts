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
 */
import type { FieldInfo } from '../mapping/field-info.js';

/** A mapping's conflict policy. */
export type ConflictPolicy = 'salesforce_wins' | 'postgres_wins' | 'newest_wins';

/** An open outbox row of the record, oldest first. */
export interface PendingChange {
  outboxId: string;
  state: 'new' | 'pending';
  op: 'insert' | 'update' | 'delete';
  /** New values by Salesforce field name (jsonb as returned by pg). */
  changed: Record<string, unknown>;
  /** Previous values by Salesforce field name; null for inserts. */
  old: Record<string, unknown> | null;
  createdAt: Date;
}

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
  /** Fields to drop from the record's still-unsent ('new') outbox rows: Salesforce won them. */
  dropFromOutbox: string[];
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
  const outcome: ConflictOutcome = { keepColumns: [], dropFromOutbox: [], conflicts: [] };
  for (const field of input.fields) {
    const touching = input.pending.filter((p) => p.op !== 'delete' && field.name in p.changed);
    const first = touching[0];
    const last = touching[touching.length - 1];
    if (!first || !last || !(field.column in input.sfValues)) continue;
    const pgValue = last.changed[field.name];
    const sfValue = input.sfValues[field.column] ?? null;
    if (sameValue(field, pgValue, sfValue)) continue;
    const base = first.old === null ? undefined : first.old[field.name];
    const sfChanged = base === undefined ? true : !sameValue(field, base, sfValue);
    if (!sfChanged) {
      outcome.keepColumns.push(field.column);
      continue;
    }
    const sfWins =
      input.policy === 'salesforce_wins' ||
      (input.policy === 'newest_wins' && input.sfModstamp !== null && input.sfModstamp.getTime() >= last.createdAt.getTime());
    outcome.conflicts.push({ field: field.name, pgValue, sfValue, decision: sfWins ? 'salesforce' : 'postgres' });
    if (sfWins) outcome.dropFromOutbox.push(field.name);
    else outcome.keepColumns.push(field.column);
  }
  return outcome;
}
