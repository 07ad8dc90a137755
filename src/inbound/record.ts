/**
 * One Salesforce record → the row sfsync writes: sfid, the fixed columns, each
 * mapped column's Postgres text value, and the fields whose values did not fit
 * (those columns are left untouched and the row is marked failed).
 */
import type { FieldInfo } from '../mapping/field-info.js';
import { ConversionFailure, convertFast, toUtcTimestamp, type ValueSource } from './convert.js';

/** A field whose value did not fit its column. */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** A converted record. */
export interface InboundRow {
  sfid: string;
  /** `YYYY-MM-DD HH:MM:SS.mmm` UTC. */
  systemmodstamp: string | null;
  isdeleted: boolean;
  createddate: string | null;
  /** Column → Postgres text value (null = SQL null). Columns with errors are absent. */
  values: Record<string, string | null>;
  errors: FieldError[];
}

function fixedTimestamp(raw: unknown): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  return toUtcTimestamp(String(raw)) ?? null;
}

/** Convert a REST (`rest`) or Bulk CSV (`bulk`) record of the mapped `fields`. */
export function toInboundRow(record: Record<string, unknown>, fields: readonly FieldInfo[], source: ValueSource): InboundRow {
  const row: InboundRow = {
    sfid: String(record['Id']),
    systemmodstamp: fixedTimestamp(record['SystemModstamp']),
    isdeleted: record['IsDeleted'] === true || record['IsDeleted'] === 'true',
    createddate: fixedTimestamp(record['CreatedDate']),
    values: {},
    errors: [],
  };
  for (const field of fields) {
    if (field.removed) continue;
    const converted = convertFast(field, record[field.name], source);
    if (converted instanceof ConversionFailure) row.errors.push({ field: field.name, code: converted.code, message: converted.message });
    else row.values[field.column] = converted;
  }
  return row;
}

/** The `_sfsync_error` JSON of a row with field errors. */
export function rowErrorJson(errors: readonly FieldError[]): { code: string; message: string; fields: string[]; source: 'salesforce' } {
  const first = errors[0];
  return {
    code: first?.code ?? 'INBOUND_VALUE',
    message: errors.map((e) => e.message).join(' '),
    fields: errors.map((e) => e.field),
    source: 'salesforce',
  };
}
