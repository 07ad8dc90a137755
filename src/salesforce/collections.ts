/**
 * sObject Collections writes (docs/salesforce-wire.md): ≤ 200 records per call,
 * allOrNone false, one result per record in input order, HTTP 200 even when
 * records fail. Sent through `conn.request` so jsforce's session refresh (401)
 * and call counting apply; POST/PATCH are never retried by jsforce.
 */
import type { Connection } from 'jsforce';
import type { RecordResult, SfRow } from './salesforce-client.js';

export { COLLECTION_LIMIT } from '../config/config-schema.js';

interface RawResult {
  id?: string | null;
  success: boolean;
  created?: boolean;
  errors?: Array<{ statusCode?: string; message?: string; fields?: string[] }>;
}

function base(conn: Connection): string {
  return `/services/data/v${conn.version}/composite/sobjects`;
}

function toResult(raw: RawResult): RecordResult {
  if (raw.success && raw.id) return { success: true, id: raw.id, ...(raw.created !== undefined ? { created: raw.created } : {}) };
  return {
    success: false,
    ...(raw.id ? { id: raw.id } : {}),
    errors: (raw.errors ?? []).map((e) => ({ statusCode: e.statusCode ?? 'UNKNOWN_EXCEPTION', message: e.message ?? '', fields: e.fields ?? [] })),
  };
}

async function send(conn: Connection, method: 'POST' | 'PATCH', url: string, records: SfRow[]): Promise<RecordResult[]> {
  if (records.length === 0) return [];
  const body = JSON.stringify({ allOrNone: false, records });
  const raw = await conn.request<RawResult[]>({ method, url, body, headers: { 'Content-Type': 'application/json' } });
  return raw.map(toResult);
}

function typed(sobject: string, records: SfRow[]): SfRow[] {
  return records.map((r) => ({ attributes: { type: sobject }, ...r }));
}

/** Create up to 200 records. */
export function createRecords(conn: Connection, sobject: string, records: SfRow[]): Promise<RecordResult[]> {
  return send(conn, 'POST', base(conn), typed(sobject, records));
}

/** Update up to 200 records (each with `Id`). */
export function updateRecords(conn: Connection, sobject: string, records: SfRow[]): Promise<RecordResult[]> {
  return send(conn, 'PATCH', base(conn), typed(sobject, records));
}

/** Upsert up to 200 records on an External ID field. */
export function upsertRecords(conn: Connection, sobject: string, externalIdField: string, records: SfRow[]): Promise<RecordResult[]> {
  const url = `${base(conn)}/${encodeURIComponent(sobject)}/${encodeURIComponent(externalIdField)}`;
  return send(conn, 'PATCH', url, typed(sobject, records));
}

/** Delete up to 200 records by Id. */
export async function destroyRecords(conn: Connection, ids: string[]): Promise<RecordResult[]> {
  if (ids.length === 0) return [];
  const url = `${base(conn)}?ids=${ids.map(encodeURIComponent).join(',')}&allOrNone=false`;
  const raw = await conn.request<RawResult[]>({ method: 'DELETE', url });
  return raw.map(toResult);
}
