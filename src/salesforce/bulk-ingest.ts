/**
 * Bulk API 2.0 ingest (docs/salesforce-wire.md, "Ingest") through jsforce's
 * `bulk2.loadAndWaitForResults`, with results put back in input order.
 *
 * Salesforce returns successful and failed rows in separate CSVs, in no
 * promised order, echoing the columns we sent. A row is matched to its input
 * by those echoed values (Id for update/delete, the External ID for upsert,
 * all values for insert): identical insert rows are interchangeable, so
 * matching them in any order gives the same Salesforce state.
 */
import type { Connection } from 'jsforce';
import { stringify } from 'csv-stringify/sync';
import type { RecordResult, SfRow } from './salesforce-client.js';

/** Poll every 1 s for up to 10 minutes: a 100,000-row job takes minutes on real orgs (jsforce's default of 30 s is too short). */
const POLL_INTERVAL_MS = 1000;
const POLL_TIMEOUT_MS = 10 * 60_000;

/** A CSV cell: null is `#N/A` (an empty cell leaves the field unchanged on update); dates as ISO strings. */
function cell(value: unknown): string {
  if (value === null) return '#N/A';
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Run one ingest job over `records` (same keys in every record is not required). */
export async function bulkIngestRecords(
  conn: Connection,
  sobject: string,
  operation: 'insert' | 'update' | 'upsert' | 'delete',
  records: SfRow[],
  options: { externalIdField?: string } = {},
): Promise<RecordResult[]> {
  if (records.length === 0) return [];
  const columns = operation === 'delete' ? ['Id'] : [...new Set(records.flatMap((r) => Object.keys(r)))];
  const rows = records.map((r) => columns.map((c) => cell(r[c])));
  const csv = stringify([columns, ...rows], { record_delimiter: '\n' });
  const results = await conn.bulk2.loadAndWaitForResults({
    object: sobject,
    operation,
    ...(options.externalIdField ? { externalIdField: options.externalIdField } : {}),
    input: csv,
    pollInterval: POLL_INTERVAL_MS,
    pollTimeout: POLL_TIMEOUT_MS,
  });
  const key = (values: string[]) => JSON.stringify(values);
  const waiting = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const k = key(row);
    waiting.set(k, [...(waiting.get(k) ?? []), i]);
  });
  const out: Array<RecordResult | undefined> = new Array(records.length);
  const take = (echo: Record<string, string>): number | undefined => waiting.get(key(columns.map((c) => echo[c] ?? '')))?.shift();
  for (const r of results.successfulResults as unknown as Array<Record<string, string>>) {
    const i = take(r);
    if (i !== undefined) out[i] = { success: true, id: r.sf__Id ?? '', created: r.sf__Created === 'true' };
  }
  for (const r of results.failedResults as unknown as Array<Record<string, string>>) {
    const i = take(r);
    if (i !== undefined) out[i] = { success: false, ...(r.sf__Id ? { id: r.sf__Id } : {}), errors: [parseBulkError(r.sf__Error ?? '')] };
  }
  return out.map(
    (r) => r ?? { success: false, errors: [{ statusCode: 'UNPROCESSED', message: 'Bulk API did not process this record; it will be retried.', fields: [] }] },
  );
}

/**
 * `REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --` → code,
 * message, fields; an error that names no field ends `:--`.
 */
export function parseBulkError(text: string): { statusCode: string; message: string; fields: string[] } {
  const match = /^([A-Z_]+):(.*?)(?::([^:]*?) ?--)?$/s.exec(text.trim());
  if (!match) return { statusCode: 'UNKNOWN_EXCEPTION', message: text, fields: [] };
  const fields = (match[3] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  return { statusCode: match[1]!, message: match[2]!.trim(), fields };
}
