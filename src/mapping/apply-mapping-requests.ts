/**
 * Mappings created or changed from SQL alone: a mappings row inserted (or
 * whose fields, mode or external id change) is a request; the engine plans
 * and applies it exactly as `sfsync map` does. A failure is recorded in
 * `mappings.last_error` (one line naming the fix) and retried by the sweep
 * only after the row changes again.
 */
import type pg from 'pg';
import { withClient } from '../db/pool.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import { describeError } from '../salesforce/errors.js';
import { applyMapping } from './apply-mapping.js';
import type { MappingSpecInput } from './mapping-spec.js';

interface MappingRow {
  id: string;
  connection_id: string;
  sobject: string;
  schema_name: string;
  table_name: string;
  fields: string[];
  mode: 'read_only' | 'read_write';
  external_id_field: string | null;
  row_filter: string | null;
}

/** Apply the given mappings (or, without ids, every one never applied and not failed). Returns the ids applied. */
export async function applyMappingRequests(
  pool: pg.Pool,
  salesforceFor: (connectionId: string) => Promise<SalesforceClient>,
  ids?: string[],
): Promise<string[]> {
  const { rows } = await pool.query<MappingRow>(
    `select id::text, connection_id::text, sobject, schema_name, table_name, fields, mode, external_id_field, row_filter from sfsync.mappings
      where ${ids ? 'id = any($1::bigint[])' : `field_info = '[]'::jsonb and last_error is null`} order by id`,
    ids ? [ids] : [],
  );
  const applied: string[] = [];
  for (const row of rows) {
    const spec: MappingSpecInput = {
      connectionId: row.connection_id,
      sobject: row.sobject,
      fields: row.fields,
      mode: row.mode,
      schema: row.schema_name,
      table: row.table_name,
      ...(row.external_id_field ? { externalIdField: row.external_id_field } : {}),
      ...(row.row_filter ? { rowFilter: row.row_filter } : {}),
    };
    try {
      const plan = await withClient(pool, async (client) => applyMapping(client, await salesforceFor(row.connection_id), spec, { onlyIfChanged: true }));
      if (plan.changed) applied.push(row.id);
    } catch (error) {
      await pool.query('update sfsync.mappings set last_error = $2, updated_at = now() where id = $1', [row.id, JSON.stringify(describeError(error))]);
    }
  }
  return applied;
}
