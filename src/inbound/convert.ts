/**
 * Salesforce values → Postgres text input, per FieldInfo, exactly: REST JSON
 * values (`source: 'rest'`) and Bulk CSV strings (`'bulk'`, '' = null). The
 * result is what a `::<pgType>` cast or COPY accepts; a value that would not
 * fit its column (too long, out of range, malformed) is reported instead, so
 * one bad value fails one row, never the window.
 */
import type { FieldInfo } from '../mapping/field-info.js';

/** A converted value, or why it does not fit. */
export type Converted = { ok: true; value: string | null } | { ok: false; code: string; message: string };

/** Where a raw value came from. */
export type ValueSource = 'rest' | 'bulk';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?$/;
const BULK_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TIME_RE = /^(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)Z?$/;

/** Why a value does not fit (allocated only on failure: the hot path returns plain strings). */
export class ConversionFailure {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

/** The fast form: the Postgres text, null, or a failure. */
export type FastConverted = string | null | ConversionFailure;

const ok = (value: string | null): FastConverted => value;
const bad = (code: string, message: string): FastConverted => new ConversionFailure(code, message);

const lengths = new Map<string, number | undefined>();

/** The declared length of `varchar(n)`, or undefined for unbounded types (cached: called for every value). */
export function varcharLength(pgType: string): number | undefined {
  if (lengths.has(pgType)) return lengths.get(pgType);
  const m = /^varchar\((\d+)\)$/.exec(pgType);
  const length = m ? Number(m[1]) : undefined;
  lengths.set(pgType, length);
  return length;
}

const precisions = new Map<string, number | undefined>();

/** Digits before the point that `numeric(p,s)` holds (p − s), or undefined for other types (cached: called for every value). */
function numericIntDigits(pgType: string): number | undefined {
  if (precisions.has(pgType)) return precisions.get(pgType);
  const m = /^numeric\((\d+),\s*(\d+)\)$/.exec(pgType);
  const digits = m ? Number(m[1]) - Number(m[2]) : undefined;
  precisions.set(pgType, digits);
  return digits;
}

/** Characters as Postgres counts them (code points), cheaply when no surrogate pairs. */
function charLength(text: string): number {
  return /[\uD800-\uDBFF]/.test(text) ? Array.from(text).length : text.length;
}

function convertText(field: FieldInfo, text: string, max = varcharLength(field.pgType)): FastConverted {
  if (text.includes('\u0000')) return bad('INVALID_CHARACTER', `${field.name} contains a NUL character, which Postgres text cannot store.`);
  if (max !== undefined && text.length > max && charLength(text) > max) {
    return bad('STRING_TOO_LONG', `${field.name} is ${charLength(text)} characters; column ${field.column} is ${field.pgType}.`);
  }
  return ok(text);
}

function convertNumber(field: FieldInfo, raw: unknown, intDigits = numericIntDigits(field.pgType)): FastConverted {
  const text = typeof raw === 'number' ? String(raw) : String(raw).trim();
  if (typeof raw === 'number' ? !Number.isFinite(raw) : !NUMBER_RE.test(text))
    return bad('INVALID_NUMBER', `${field.name} is not a number: ${text.slice(0, 40)}.`);
  const pg = field.pgType;
  if (pg === 'integer' || pg === 'bigint') {
    const n = Number(text);
    if (!Number.isInteger(n)) return bad('INVALID_NUMBER', `${field.name} is not an integer: ${text}.`);
    if (pg === 'integer' && (n < INT_MIN || n > INT_MAX))
      return bad('NUMBER_OUT_OF_RANGE', `${field.name} = ${text} does not fit column ${field.column} (integer).`);
    if (pg === 'bigint' && !Number.isSafeInteger(n)) return bad('NUMBER_OUT_OF_RANGE', `${field.name} = ${text} does not fit column ${field.column} (bigint).`);
    return ok(String(n));
  }
  if (intDigits !== undefined) {
    const whole = Math.trunc(Math.abs(Number(text)));
    if (whole !== 0 && String(whole).length > intDigits)
      return bad('NUMBER_OUT_OF_RANGE', `${field.name} = ${text} does not fit column ${field.column} (${pg}).`);
    return ok(text);
  }
  const n = Number(text);
  if (!Number.isFinite(n)) return bad('NUMBER_OUT_OF_RANGE', `${field.name} = ${text} does not fit column ${field.column} (${pg}).`);
  // JSON numbers print as the shortest text that round-trips; CSV text is kept as sent.
  return ok(text);
}

function convertBoolean(field: FieldInfo, raw: unknown): FastConverted {
  if (raw === true || raw === 'true' || raw === 'TRUE' || raw === 'True') return ok('true');
  if (raw === false || raw === 'false' || raw === 'FALSE' || raw === 'False') return ok('false');
  return bad('INVALID_BOOLEAN', `${field.name} is not a boolean: ${String(raw).slice(0, 40)}.`);
}

/** `2024-01-02T03:04:05.000+0000` or `…Z` → `2024-01-02 03:04:05.000` (UTC, ms kept). */
export function toUtcTimestamp(text: string): string | undefined {
  // Bulk CSV's form, all but every value: no captures to allocate.
  if (text.length === 24 && BULK_UTC_RE.test(text)) return `${text.slice(0, 10)} ${text.slice(11, 23)}`;
  const m = DATETIME_RE.exec(text.trim());
  if (!m) return undefined;
  const zone = m[3] ?? 'Z';
  if (zone === 'Z' || /^[+-]00:?00$/.test(zone)) return `${m[1]} ${m[2]}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function convertTemporal(field: FieldInfo, text: string): FastConverted {
  if (field.pgType === 'date') {
    const m = DATE_RE.exec(text.trim());
    const valid = m && new Date(`${m[0]}T00:00:00Z`).toISOString().startsWith(m[0]);
    return valid ? ok(m[0]) : bad('INVALID_DATE', `${field.name} is not a date: ${text.slice(0, 40)}.`);
  }
  if (field.pgType === 'timestamp(3)') {
    const value = toUtcTimestamp(text);
    return value ? ok(value) : bad('INVALID_DATETIME', `${field.name} is not a datetime: ${text.slice(0, 40)}.`);
  }
  const m = TIME_RE.exec(text.trim());
  return m?.[1] ? ok(m[1]) : bad('INVALID_TIME', `${field.name} is not a time: ${text.slice(0, 40)}.`);
}

/** How a column's values are checked and written: the one place a Postgres type is sorted. */
export type ValueKind = 'boolean' | 'number' | 'temporal' | 'text';

/** The kind of `pgType`'s values. */
export function valueKind(pgType: string): ValueKind {
  switch (pgType) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'bigint':
    case 'double precision':
      return 'number';
    case 'date':
    case 'timestamp(3)':
    case 'time(3)':
      return 'temporal';
    default:
      return pgType.startsWith('numeric') ? 'number' : 'text';
  }
}

/** Convert one value of `field` (fast form). null/undefined (and '' from Bulk CSV) are SQL null. */
export function convertFast(field: FieldInfo, raw: unknown, source: ValueSource): FastConverted {
  if (raw === null || raw === undefined) return null;
  if (source === 'bulk' && raw === '') return null;
  switch (valueKind(field.pgType)) {
    case 'boolean':
      return convertBoolean(field, raw);
    case 'number':
      return convertNumber(field, raw);
    case 'temporal':
      return convertTemporal(field, String(raw));
    case 'text':
      return convertText(field, typeof raw === 'object' ? JSON.stringify(raw) : String(raw));
  }
}

/**
 * The converter of one field's Bulk CSV strings, its type dispatched once
 * (the initial load calls it for every value of up to millions of rows).
 * Same results as `convertFast(field, raw, 'bulk')`.
 */
export function bulkConverter(field: FieldInfo): (raw: string | undefined) => FastConverted {
  const convert = stringConverter(field);
  return (raw) => (raw === undefined || raw === '' ? null : convert(raw));
}

/** {@link bulkConverter} for a non-empty string, with the type's bounds read once. */
function stringConverter(field: FieldInfo): (text: string) => FastConverted {
  switch (valueKind(field.pgType)) {
    case 'boolean':
      return (text) => convertBoolean(field, text);
    case 'number': {
      const intDigits = numericIntDigits(field.pgType);
      return (text) => convertNumber(field, text, intDigits);
    }
    case 'temporal':
      return (text) => convertTemporal(field, text);
    case 'text': {
      const max = varcharLength(field.pgType);
      return (text) => convertText(field, text, max);
    }
  }
}

/** Convert one value of `field`. null/undefined (and '' from Bulk CSV) are SQL null. */
export function convertValue(field: FieldInfo, raw: unknown, source: ValueSource): Converted {
  const value = convertFast(field, raw, source);
  return value instanceof ConversionFailure ? { ok: false, code: value.code, message: value.message } : { ok: true, value };
}
