/**
 * A mapping as the read path needs it, loaded in one query (intervals as ms).
 */
import type pg from 'pg';
import { SfsyncError } from '../errors.js';
import type { FieldInfo } from '../mapping/field-info.js';
import { checkStoredMapping } from '../mapping/stored-mapping.js';
import type { ConflictPolicy } from './conflict-rules.js';
import type { InboundTable } from './apply-sql.js';

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
  /** Set when the stored row fails its re-check (mapping/stored-mapping.ts): nothing of it may be used. */
  problem?: SfsyncError;
  /** `last_error.code`, so a mark of an unusable row is cleared once it is usable again. */
  errorCode: string | null;
}

const SELECT = `
select id::text, connection_id::text, sobject, schema_name, table_name, field_info, mode, external_id_field, row_filter,
       (extract(epoch from poll_interval) * 1000)::float8 as poll_ms, (extract(epoch from drift_delay) * 1000)::float8 as drift_ms,
       conflict_policy, streaming, delete_mode, state, watermark, last_error ->> 'code' as error_code
from sfsync.mappings`;

type Row = Record<string, unknown> & { field_info: FieldInfo[] };

function toMapping(row: Row): InboundMapping {
  const externalIdField = row['external_id_field'] as string | null;
  let rowFilter = row['row_filter'] as string | null;
  let problem: SfsyncError | undefined;
  try {
    ({ rowFilter } = checkStoredMapping({
      id: row['id'] as string,
      sobject: row['sobject'] as string,
      schema: row['schema_name'] as string,
      table: row['table_name'] as string,
      fields: row.field_info,
      externalIdField,
      rowFilter,
    }));
  } catch (error) {
    if (!(error instanceof SfsyncError)) throw error;
    problem = error;
    rowFilter = null;
  }
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
    rowFilter,
    pollIntervalMs: Number(row['poll_ms']),
    driftDelayMs: Number(row['drift_ms']),
    policy: row['conflict_policy'] as ConflictPolicy,
    streaming: row['streaming'] as InboundMapping['streaming'],
    deleteMode: row['delete_mode'] as InboundMapping['deleteMode'],
    state: row['state'] as InboundMapping['state'],
    watermark: (row['watermark'] as Date | null) ?? null,
    ...(problem ? { problem } : {}),
    errorCode: (row['error_code'] as string | null) ?? null,
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
  const { rows } =
    connectionId === undefined
      ? await db.query<Row>(`${SELECT} order by id`)
      : await db.query<Row>(`${SELECT} where connection_id = $1 order by id`, [connectionId]);
  return rows.map(toMapping);
}
