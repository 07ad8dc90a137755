/**
 * A mapping as read back from `sfsync.mappings`, checked again before any of
 * it reaches SQL or SOQL. The row was valid when sfsync wrote it, but anyone
 * with write access to the table can change it since, and the engine runs
 * what it reads with its own privileges: a `pgType` of `text || 'x'::text`
 * went into a cast and changed synced values. Names must match the rules they
 * were created under, types the allow-list of what `pgTypeFor` produces, and
 * the row filter must parse as a WHERE expression (row-filter.ts).
 */
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
import type pg from 'pg';
import { SfsyncError } from '../errors.js';
import type { FieldInfo } from './field-info.js';
import { API_NAME, PG_NAME, isReservedSchema } from './mapping-spec.js';
import { RowFilterError, parseRowFilter } from './row-filter.js';

/** The code a mapping's `last_error` gets while its stored row is unusable. */
export const STORED_INVALID = 'MAPPING_STORED_INVALID';

/** Every Postgres type sfsync gives a column (field-info.ts `pgTypeFor`); nothing else is cast to. */
const PG_TYPE = /^(text|integer|bigint|boolean|date|double precision|timestamp\(3\)|time\(3\)|varchar\(\d{1,6}\)|numeric\(\d{1,2}, \d{1,2}\))$/;
/** Columns are lower-cased API names (≤ 63 bytes, checked when the mapping was planned). */
const COLUMN = /^[a-z][a-z0-9_]{0,62}$/;
/** describe's field types are words (`string`, `anyType`). */
const FIELD_TYPE = /^[A-Za-z]{1,40}$/;

/** What is checked. */
export interface StoredMappingParts {
  id: string;
  sobject: string;
  schema: string;
  table: string;
  fields: unknown;
  externalIdField: string | null;
  rowFilter: string | null;
}

/**
 * Check a stored mapping; returns the row filter as re-rendered from its parse
 * tree (the text to use). Throws SfsyncError MAPPING_STORED_INVALID naming the
 * bad value and the fix.
 */
export function checkStoredMapping(m: StoredMappingParts): { rowFilter: string | null } {
  const bad = (what: string, value: unknown): never => {
    throw new SfsyncError(
      STORED_INVALID,
      `Mapping ${m.id}'s stored ${what} ${JSON.stringify(String(value).slice(0, 80))} is not one sfsync would write; re-apply the mapping with \`sfsync map\` (or correct sfsync.mappings) and the engine resumes it.`,
    );
  };
  if (!API_NAME.test(m.sobject)) bad('sobject', m.sobject);
  if (!PG_NAME.test(m.schema) || isReservedSchema(m.schema)) bad('schema_name', m.schema);
  if (!PG_NAME.test(m.table)) bad('table_name', m.table);
  if (m.externalIdField !== null && !API_NAME.test(m.externalIdField)) bad('external_id_field', m.externalIdField);
  if (!Array.isArray(m.fields)) bad('field_info', JSON.stringify(m.fields));
  (m.fields as FieldInfo[]).forEach((f, i) => {
    if (f === null || typeof f !== 'object') bad(`field_info[${i}]`, JSON.stringify(f));
    if (typeof f.name !== 'string' || !API_NAME.test(f.name)) bad(`field_info[${i}].name`, f.name);
    if (typeof f.column !== 'string' || !COLUMN.test(f.column)) bad(`field_info[${i}].column`, f.column);
    if (typeof f.pgType !== 'string' || !PG_TYPE.test(f.pgType)) bad(`field_info[${i}].pgType`, f.pgType);
    if (typeof f.type !== 'string' || !FIELD_TYPE.test(f.type)) bad(`field_info[${i}].type`, f.type);
    if (!Array.isArray(f.referenceTo) || f.referenceTo.some((r) => typeof r !== 'string' || !API_NAME.test(r)))
      bad(`field_info[${i}].referenceTo`, JSON.stringify(f.referenceTo));
    if (f.relationshipName != null && (typeof f.relationshipName !== 'string' || !API_NAME.test(f.relationshipName)))
      bad(`field_info[${i}].relationshipName`, f.relationshipName);
  });
  if (m.rowFilter === null) return { rowFilter: null };
  try {
    return { rowFilter: parseRowFilter(m.rowFilter, m.sobject).soql };
  } catch (error) {
    if (!(error instanceof RowFilterError)) throw error;
    return bad(`row_filter (${error.reason})`, m.rowFilter);
  }
}

/** A mapping row as the push reads it (column names of sfsync.mappings). */
interface StoredRow {
  id: string;
  sobject: string;
  schema_name: string;
  table_name: string;
  external_id_field: string | null;
  field_info: unknown;
}

/** Why a stored row (its filter aside) is unusable, or undefined when it is usable ({@link checkStoredMapping}). */
export function storedRowProblem(row: StoredRow): SfsyncError | undefined {
  try {
    checkStoredMapping({
      id: row.id,
      sobject: row.sobject,
      schema: row.schema_name,
      table: row.table_name,
      fields: row.field_info,
      externalIdField: row.external_id_field,
      rowFilter: null,
    });
    return undefined;
  } catch (error) {
    if (error instanceof SfsyncError) return error;
    throw error;
  }
}

/** {@link storedRowProblem} as a yes/no, for a reader that only skips an unusable row (its own loader marks it). */
export function isStoredMappingUsable(row: StoredRow): boolean {
  return storedRowProblem(row) === undefined;
}

/** Record `problem` in the mapping's last_error (only when it says something new: no write per poll). */
export async function markUnusable(db: pg.Pool | pg.ClientBase, mappingId: string, problem: SfsyncError): Promise<void> {
  const error = JSON.stringify({ code: problem.code, message: problem.message });
  await run(
    db,
    sfsync
      .updateTable('mappings')
      .set({ last_error: error, updated_at: sql<Date>`now()` })
      .where('id', '=', mappingId)
      .where(sql<boolean>`last_error is distinct from ${error}::jsonb`),
  );
}
