/**
 * A mapping as the read path needs it, loaded in one query (intervals as ms).
 */
import type pg from 'pg';
import { SfsyncError } from '../../errors.js';
import type { FieldInfo } from '../../mapping/field-info.js';
import type { ConflictPolicy } from '../../sync/conflict-rules.js';
import type { InboundTable } from '../../sync/inbound-sql.js';

/** One mapping, read side. */
export interface InboundMapping extends InboundTable {
  id: string;
  connectionId: string;
  sobject: string;
  mode: 'read_only' | 'read_write';
  externalIdField: string | null;
  rowFilter: string | null;
  pollIntervalMs: number;
  driftDelayMs: number;
  policy: ConflictPolicy;
  streaming: 'auto' | 'cdc' | 'pushtopic' | 'off';
  deleteMode: 'delete' | 'mark';
  state: 'new' | 'loading' | 'active' | 'paused' | 'error';
  watermark: Date | null;
}

const SELECT = `
select id::text, connection_id::text, sobject, schema_name, table_name, field_info, mode, external_id_field, row_filter,
       (extract(epoch from poll_interval) * 1000)::float8 as poll_ms, (extract(epoch from drift_delay) * 1000)::float8 as drift_ms,
       conflict_policy, streaming, delete_mode, state, watermark
from sfsync.mappings`;

type Row = Record<string, unknown> & { field_info: FieldInfo[] };

function toMapping(row: Row): InboundMapping {
  const externalIdField = row['external_id_field'] as string | null;
  return {
    id: row['id'] as string,
    connectionId: row['connection_id'] as string,
    sobject: row['sobject'] as string,
    schema: row['schema_name'] as string,
    table: row['table_name'] as string,
    fields: row.field_info,
    mode: row['mode'] as InboundMapping['mode'],
    externalIdField,
    externalIdColumn: externalIdField?.toLowerCase(),
    rowFilter: row['row_filter'] as string | null,
    pollIntervalMs: Number(row['poll_ms']),
    driftDelayMs: Number(row['drift_ms']),
    policy: row['conflict_policy'] as ConflictPolicy,
    streaming: row['streaming'] as InboundMapping['streaming'],
    deleteMode: row['delete_mode'] as InboundMapping['deleteMode'],
    state: row['state'] as InboundMapping['state'],
    watermark: (row['watermark'] as Date | null) ?? null,
  };
}

/** Load mapping `id`; SfsyncError UNKNOWN_MAPPING when it is gone. */
export async function loadInboundMapping(db: pg.Pool | pg.PoolClient, id: string): Promise<InboundMapping> {
  const { rows } = await db.query<Row>(`${SELECT} where id = $1`, [id]);
  const row = rows[0];
  if (!row) throw new SfsyncError('UNKNOWN_MAPPING', `Mapping ${id} does not exist; list mappings with \`select * from sfsync.mapping_status\`.`);
  return toMapping(row);
}

/** Every mapping of a connection (or all), for the scheduler and the stream subscriber. */
export async function loadInboundMappings(db: pg.Pool, connectionId?: string): Promise<InboundMapping[]> {
  const { rows } = connectionId === undefined ? await db.query<Row>(`${SELECT} order by id`) : await db.query<Row>(`${SELECT} where connection_id = $1 order by id`, [connectionId]);
  return rows.map(toMapping);
}
