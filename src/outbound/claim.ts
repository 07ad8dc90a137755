/**
 * The push's reads: the mapping, the API-limit pause, claiming outbox rows
 * (sfsync.claim_outbox), and the current sfids of claimed records.
 */
import pg from 'pg';
import { OUTBOX_LIVE_STATES as LIVE_STATES } from '../db/database.js';
import type { FieldInfo } from '../mapping/field-info.js';
import { checkStoredMapping } from '../mapping/stored-mapping.js';
import { isSfsyncError } from '../errors.js';
import { markUnusable } from '../inbound/usable-mapping.js';
import type { OutboxChange } from './coalesce.js';

/** What a push needs to know about its mapping. */
export interface PushMapping {
  id: string;
  connectionId: string;
  sobject: string;
  /** `"schema"."table"`, quoted. */
  table: string;
  fieldInfo: FieldInfo[];
  externalIdField: string | null;
  active: boolean;
  pausedUntil: Date | null;
}

/** Load the mapping; undefined when it is gone or its stored row is unusable (marked in last_error). `active`: read_write and not paused. */
export async function loadPushMapping(client: pg.ClientBase, mappingId: string): Promise<PushMapping | undefined> {
  const { rows } = await client.query<{ connection_id: string; sobject: string; schema_name: string; table_name: string; field_info: FieldInfo[]; external_id_field: string | null; mode: string; state: string; push_paused_until: Date | null }>(
    `select m.connection_id::text, m.sobject, m.schema_name, m.table_name, m.field_info, m.external_id_field, m.mode, m.state, c.push_paused_until
       from sfsync.mappings m join sfsync.connections c on c.id = m.connection_id where m.id = $1`,
    [mappingId],
  );
  const row = rows[0];
  if (!row) return undefined;
  try {
    checkStoredMapping({ id: mappingId, sobject: row.sobject, schema: row.schema_name, table: row.table_name, fields: row.field_info, externalIdField: row.external_id_field, rowFilter: null });
  } catch (error) {
    // An unusable stored row pushes nothing (its changes wait in the outbox) until it is re-applied.
    if (!isSfsyncError(error)) throw error;
    await markUnusable(client, mappingId, error);
    return undefined;
  }
  return {
    id: mappingId,
    connectionId: row.connection_id,
    sobject: row.sobject,
    table: `${pg.escapeIdentifier(row.schema_name)}.${pg.escapeIdentifier(row.table_name)}`,
    fieldInfo: row.field_info,
    externalIdField: row.external_id_field,
    active: row.mode === 'read_write' && row.state !== 'paused' && row.field_info.length > 0,
    pausedUntil: row.push_paused_until && row.push_paused_until > new Date() ? row.push_paused_until : null,
  };
}

/** Claim up to `limit` records' due changes; returns them grouped by record, in outbox order. */
export async function claimChanges(client: pg.ClientBase, mappingId: string, claimedBy: string, limit: number): Promise<OutboxChange[][]> {
  const { rows } = await client.query<{ id: string; record_id: string; sfid: string | null; op: OutboxChange['op']; changed: Record<string, unknown>; unknown_since: Date | null; attempts: number }>(
    // `order by c.id`, the bigint: an unqualified `id` would name the text output
    // column and sort '1000' before '700', so an older value would be merged last.
    'select c.id::text as id, c.record_id::text as record_id, c.sfid, c.op, c.changed, c.unknown_since, c.attempts from sfsync.claim_outbox($1, $2, $3) c order by c.id',
    [mappingId, claimedBy, limit],
  );
  const byRecord = new Map<string, OutboxChange[]>();
  for (const r of rows) {
    const change: OutboxChange = { id: r.id, recordId: r.record_id, sfid: r.sfid, op: r.op, changed: r.changed, unknownSince: r.unknown_since, attempts: r.attempts };
    const list = byRecord.get(r.record_id);
    if (list) list.push(change);
    else byRecord.set(r.record_id, [change]);
  }
  return [...byRecord.values()];
}

/**
 * The sfid of each record `$1` (bigint[]) of a mapping `$2`: the table's, else
 * the last one a live outbox row (new, pending, failed) carries — a delete
 * carries the sfid the row had. `gone`: the table has no such row.
 */
export function currentSfidsSql(table: string): string {
  return `select r.id::text, t.id is null as gone, coalesce(t.sfid, (
            select o.sfid from sfsync.outbox o
             where o.mapping_id = $2 and o.record_id = r.id and o.state in ${LIVE_STATES} and o.sfid is not null
             order by o.id desc limit 1)) as sfid
            from unnest($1::bigint[]) r(id) left join ${table} t on t.id = r.id`;
}

/**
 * The last sfid finished outbox rows learned for records `$1` of mapping `$2`:
 * a row deleted before its insert came back has it only there. One scan
 * (finished rows have no per-record index), run only for such rows.
 */
const LEARNED_SFIDS_SQL = `select distinct on (record_id) record_id::text as id, sfid from sfsync.outbox
  where mapping_id = $2 and record_id = any($1::bigint[]) and sfid is not null order by record_id, id desc`;

/** The sfid each record has now (see {@link currentSfidsSql}). */
export async function currentSfids(client: pg.ClientBase, mapping: PushMapping, recordIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (recordIds.length === 0) return out;
  const { rows } = await client.query<{ id: string; gone: boolean; sfid: string | null }>(currentSfidsSql(mapping.table), [recordIds, mapping.id]);
  for (const r of rows) if (r.sfid) out.set(r.id, r.sfid);
  const unknown = rows.filter((r) => r.gone && !r.sfid).map((r) => r.id);
  if (unknown.length > 0) {
    const learned = await client.query<{ id: string; sfid: string }>(LEARNED_SFIDS_SQL, [unknown, mapping.id]);
    for (const r of learned.rows) out.set(r.id, r.sfid);
  }
  return out;
}
