/**
 * Captured column values (to_jsonb of Postgres columns) → Salesforce REST
 * JSON values, by field type (pure). Postgres renders `timestamp(3)` without
 * a zone, e.g. `2024-01-02T03:04:05.123`: sfsync stores UTC, so a `Z` is added.
 */
import type { FieldInfo } from '../mapping/field-info.js';

/** Convert one value for a field. */
export function toSalesforceValue(field: Pick<FieldInfo, 'type'>, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value;
  switch (field.type) {
    case 'datetime':
      return /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
    case 'time':
      return /[zZ]$/.test(value) ? value : `${value.length === 8 ? `${value}.000` : value}Z`;
    default:
      return value;
  }
}

/** The Salesforce record body of a change: only fields that are mapped, not removed, and writable for this operation. */
export function toSalesforceRecord(fields: readonly FieldInfo[], values: Record<string, unknown>, op: 'insert' | 'update'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!(field.name in values) || field.removed) continue;
    if (op === 'insert' ? !field.createable : !field.updateable) continue;
    out[field.name] = toSalesforceValue(field, values[field.name]);
  }
  return out;
}

/** Exponential back-off with full jitter: uniform in [base·2^(n-1) / 2, base·2^(n-1)], capped at `max` (ms). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
