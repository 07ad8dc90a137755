import type { FieldType, SfValue } from '../ports.js';

/** How values of a field compare: the comparison family of its type. */
export type ValueKind = 'id' | 'text' | 'number' | 'boolean' | 'date' | 'datetime' | 'time' | 'compound';

/** A value normalized for comparison: `<`, `>` and `===` on two of the same kind do what SOQL does. */
export type Comparable = string | number | boolean;

/** The comparison family of a field type. */
export function kindOf(type: FieldType): ValueKind {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'time':
      return 'time';
    case 'address':
    case 'location':
      return 'compound';
    default:
      return 'text';
  }
}

/**
 * Normalize a stored value: text lowercased (Salesforce compares text
 * case-insensitively), Ids cut to their case-sensitive 15-character form,
 * datetimes in the canonical `…000+0000` form so they order as strings.
 */
export function toComparable(kind: ValueKind, value: SfValue): Comparable | null {
  if (value === null) return null;
  switch (kind) {
    case 'text':
      return String(value).toLowerCase();
    case 'id':
      return String(value).slice(0, 15);
    case 'number':
      return typeof value === 'number' ? value : Number(value);
    case 'datetime':
      return typeof value === 'string' ? canonicalDatetime(value) : null;
    case 'date':
      return typeof value === 'string' ? value.slice(0, 10) : null;
    default:
      return value;
  }
}

/** A stored or parsed datetime in the canonical UTC form `2024-01-02T03:04:05.000+0000`. */
export function canonicalDatetime(value: string): string | null {
  // Fast path: the org stores exactly this form (ports.ts), so most values pass as they are.
  if (value.length === 28 && value.endsWith('+0000')) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : datetimeFromMs(ms);
}

/** Epoch ms as the canonical datetime form. */
export function datetimeFromMs(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Epoch ms as a `YYYY-MM-DD` date (UTC). */
export function dateFromMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Order two comparables of the same kind (booleans: false < true). */
export function compareComparable(a: Comparable, b: Comparable): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
