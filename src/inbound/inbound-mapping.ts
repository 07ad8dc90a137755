/**
 * A mapping as the read path needs it, loaded in one query (intervals as ms).
 */
import { sql, type InferResult } from 'kysely';
import type pg from 'pg';
import { run, sfsync } from '../db/typed-query.js';
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
  /** Daily cap on this mapping's poll calls (Heroku Connect's sf_max_daily_api_calls); null: none. */
  maxDailyApiCalls: number | null;
  policy: ConflictPolicy;
  streaming: 'auto' | 'cdc' | 'pushtopic' | 'off';
  deleteMode: 'delete' | 'mark';
  state: 'new' | 'loading' | 'active' | 'paused' | 'error';
  watermark: Date | null;
  /** Set when the stored row fails its re-check (mapping/stored-mapping.ts): nothing of it may be used. */
  problem?: SfsyncError;
  /** `last_error.code`, so a mark of an unusable row is cleared once it is usable again. */
  errorCode: string | null;
  /** Platform Event (`X__e`) whose events name records of this mapping, and its field holding the Ids; null: none. */
  eventChannel: string | null;
  eventField: string | null;
  /** Append what the apply changes to the change feed (config `feed.enabled`, set by the task that loads the mapping); default false. */
  feed?: boolean;
}

/** The mapping row with its intervals as ms. */
const select = sfsync
  .selectFrom('mappings')
  .select([
    'id',
    'connection_id',
    'sobject',
    'schema_name',
    'table_name',
    'field_info',
    'mode',
    'external_id_field',
    'row_filter',
    sql<number>`(extract(epoch from poll_interval) * 1000)::float8`.as('poll_ms'),
    sql<number>`(extract(epoch from drift_delay) * 1000)::float8`.as('drift_ms'),
    'max_daily_api_calls',
    'conflict_policy',
    'streaming',
    'delete_mode',
    'event_channel',
    'event_field',
    'state',
    'watermark',
    sql<string | null>`last_error ->> 'code'`.as('error_code'),
  ]);

type Row = InferResult<typeof select>[number];

function toMapping(row: Row): InboundMapping {
  const fields = row.field_info as FieldInfo[];
  let rowFilter = row.row_filter;
  let problem: SfsyncError | undefined;
  try {
    ({ rowFilter } = checkStoredMapping({
      id: row.id,
      sobject: row.sobject,
      schema: row.schema_name,
      table: row.table_name,
      fields,
      externalIdField: row.external_id_field,
      rowFilter,
    }));
  } catch (error) {
    if (!(error instanceof SfsyncError)) throw error;
    problem = error;
    rowFilter = null;
  }
  return {
    id: row.id,
    connectionId: row.connection_id,
    sobject: row.sobject,
    schema: row.schema_name,
    table: row.table_name,
    fields,
    mode: row.mode,
    externalIdField: row.external_id_field,
    externalIdColumn: row.external_id_field?.toLowerCase(),
    rowFilter,
    pollIntervalMs: Number(row.poll_ms),
    driftDelayMs: Number(row.drift_ms),
    maxDailyApiCalls: row.max_daily_api_calls,
    policy: row.conflict_policy,
    streaming: row.streaming,
    deleteMode: row.delete_mode,
    eventChannel: row.event_channel ?? null,
    eventField: row.event_field ?? null,
    state: row.state,
    watermark: row.watermark ?? null,
    ...(problem ? { problem } : {}),
    errorCode: row.error_code ?? null,
  };
}

/** Load mapping `id`; SfsyncError UNKNOWN_MAPPING when it is gone. `options.feed`: its applies append to the change feed (default false). */
export async function loadInboundMapping(db: pg.Pool | pg.PoolClient, id: string, options: { feed?: boolean } = {}): Promise<InboundMapping> {
  const rows = await run(db, select.where('id', '=', id));
  const row = rows[0];
  if (!row) throw new SfsyncError('UNKNOWN_MAPPING', `Mapping ${id} does not exist; list mappings with \`select * from sfsync.mapping_status\`.`);
  return options.feed ? { ...toMapping(row), feed: true } : toMapping(row);
}

/** Every mapping of a connection (or all), for the scheduler and the stream subscriber. */
export async function loadInboundMappings(db: pg.Pool, connectionId?: string): Promise<InboundMapping[]> {
  const rows = await run(db, (connectionId === undefined ? select : select.where('connection_id', '=', connectionId)).orderBy('id'));
  return rows.map(toMapping);
}
