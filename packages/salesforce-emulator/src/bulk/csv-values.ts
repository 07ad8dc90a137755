/**
 * Converting Bulk CSV cells to the REST JSON forms of ports.ts, and back.
 *
 * Ingest rules (Bulk 2.0 "Valid Date Format in Records", "Valid CSV Record Rows"):
 * `#N/A` sets null; booleans are true/false (1/0 accepted too); dates `yyyy-MM-dd`;
 * datetimes `yyyy-MM-ddTHH:mm:ss[.SSS][Z|±HH:mm|±HHmm]` normalised to UTC
 * `yyyy-MM-ddTHH:mm:ss.SSS+0000`; values are never trimmed.
 */
import type { FieldType, SfValue } from '../ports.js';

/** The cell that sets a field to null in Bulk CSV. */
export const NULL_CELL = '#N/A';

/** A cell that could not be converted: the XSD type Salesforce names in its message. */
export interface CellError {
  xsdType: string;
}

const INT_RE = /^[+-]?\d+$/;
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:?\d{2})?$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?Z?$/;

/**
 * Convert a non-empty, non-`#N/A` cell for a field of `type`. Text-like types
 * pass through unchanged (the org checks length, picklists and Ids).
 */
export function convertCell(type: FieldType, raw: string): SfValue | CellError {
  switch (type) {
    case 'boolean':
      return toBoolean(raw);
    case 'int':
      return INT_RE.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : { xsdType: 'xsd:int' };
    case 'long':
      return INT_RE.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : { xsdType: 'xsd:long' };
    case 'double':
    case 'currency':
    case 'percent':
      return DECIMAL_RE.test(raw) && Number.isFinite(Number(raw)) ? Number(raw) : { xsdType: 'xsd:double' };
    case 'date':
      return toDate(raw);
    case 'datetime':
      return toDateTime(raw);
    case 'time':
      return toTime(raw);
    default:
      return raw;
  }
}

/** True when `convertCell` failed. */
export function isCellError(value: SfValue | CellError): value is CellError {
  return value !== null && typeof value === 'object';
}

function toBoolean(raw: string): boolean | CellError {
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  return { xsdType: 'xsd:boolean' };
}

function toDate(raw: string): string | CellError {
  const m = DATE_RE.exec(raw);
  if (!m || !validCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return { xsdType: 'xsd:date' };
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function toDateTime(raw: string): string | CellError {
  const m = DATETIME_RE.exec(raw);
  const [year, month, day] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
  if (!m || !validCalendarDate(year, month, day)) return { xsdType: 'xsd:dateTime' };
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return { xsdType: 'xsd:dateTime' };
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return formatDateTime(local - offsetMinutes(m[8]) * 60_000);
}

function toTime(raw: string): string | CellError {
  const m = TIME_RE.exec(raw);
  const [hour, minute, second] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3] ?? 0)];
  if (!m || hour > 23 || minute > 59 || second > 59) return { xsdType: 'xsd:time' };
  return `${m[1]}:${m[2]}:${String(second).padStart(2, '0')}.${(m[4] ?? '0').padEnd(3, '0')}Z`;
}

/** Minutes east of UTC in `Z`, `+05:30` or `-0800` (absent: UTC). */
function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return zone.startsWith('-') ? -minutes : minutes;
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  if (!(month >= 1 && month <= 12 && day >= 1)) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `2024-01-02T03:04:05.000+0000` for epoch ms. */
export function formatDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

/**
 * A value as a Bulk query result cell: null → empty, datetimes in the `…Z` form
 * Bulk uses (`2024-01-02T03:04:05.000Z`), numbers and booleans as text.
 */
export function formatCell(value: SfValue, isDateTime: boolean): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return isDateTime && value.endsWith('+0000') ? `${value.slice(0, -5)}Z` : value;
  return String(value);
}
