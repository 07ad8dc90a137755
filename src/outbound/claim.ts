/**
 * The push's reads: the mapping, the API-limit pause, and the current sfids
 * of claimed records (claiming itself is outbox/outbox.ts `claim`).
 */
import pg from 'pg';
import type { FieldInfo } from '../mapping/field-info.js';
import { markUnusable, storedRowProblem } from '../mapping/stored-mapping.js';
import { run, sfsync } from '../db/typed-query.js';
import { learnedSfids, outboxSql } from '../outbox/outbox.js';

/** What a push needs to know about its mapping. */
export interface PushMapping {
  id: string;
  connectionId: string;
  sobject: string;
  /** `"schema"."table"`, quoted. */
  table: string;
  fieldInfo: FieldInfo[];
  externalIdField: string | null;
  /** What an inbound delete does to a row: delete it, or mark it (`isdeleted`). */
  deleteMode: 'delete' | 'mark';
  active: boolean;
  pausedUntil: Date | null;
}

/** Load the mapping; undefined when it is gone or its stored row is unusable (marked in last_error). `active`: read_write and not paused. */
export async function loadPushMapping(client: pg.ClientBase, mappingId: string): Promise<PushMapping | undefined> {
  const rows = await run(
    client,
    sfsync
      .selectFrom('mappings as m')
      .innerJoin('connections as c', 'c.id', 'm.connection_id')
      .select([
        'm.connection_id',
        'm.sobject',
        'm.schema_name',
        'm.table_name',
        'm.field_info',
        'm.external_id_field',
        'm.delete_mode',
        'm.mode',
        'm.state',
        'c.push_paused_until',
      ])
      .where('m.id', '=', mappingId),
  );
  const row = rows[0];
  if (!row) return undefined;
  const fieldInfo = row.field_info as FieldInfo[];
  const problem = storedRowProblem({ ...row, id: mappingId });
  if (problem) {
    // An unusable stored row pushes nothing (its changes wait in the outbox) until it is re-applied.
    await markUnusable(client, mappingId, problem);
    return undefined;
  }
  return {
    id: mappingId,
    connectionId: row.connection_id,
    sobject: row.sobject,
    table: `${pg.escapeIdentifier(row.schema_name)}.${pg.escapeIdentifier(row.table_name)}`,
    fieldInfo,
    externalIdField: row.external_id_field,
    deleteMode: row.delete_mode,
    active: row.mode === 'read_write' && row.state !== 'paused' && fieldInfo.length > 0,
    pausedUntil: row.push_paused_until && row.push_paused_until > new Date() ? row.push_paused_until : null,
  };
}

/**
 * The sfid of each record `$1` (bigint[]) of a mapping `$2`: the table's, else
 * the last one a live outbox row (new, claimed, failed) carries — a delete
 * carries the sfid the row had. `gone`: the table has no such row.
 */
export function currentSfidsSql(table: string): string {
  return `select r.id::text, t.id is null as gone, coalesce(t.sfid, ${outboxSql.lastLiveSfid('$2', 'r.id')}) as sfid
            from unnest($1::bigint[]) r(id) left join ${table} t on t.id = r.id`;
}

/** The sfid each record has now (see {@link currentSfidsSql}). */
export async function currentSfids(client: pg.ClientBase, mapping: PushMapping, recordIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (recordIds.length === 0) return out;
  const { rows } = await client.query<{ id: string; gone: boolean; sfid: string | null }>(currentSfidsSql(mapping.table), [recordIds, mapping.id]);
  for (const r of rows) if (r.sfid) out.set(r.id, r.sfid);
  const unknown = rows.filter((r) => r.gone && !r.sfid).map((r) => r.id);
  if (unknown.length > 0) {
    for (const [id, sfid] of await learnedSfids(client, mapping.id, unknown)) out.set(id, sfid);
  }
  return out;
}
