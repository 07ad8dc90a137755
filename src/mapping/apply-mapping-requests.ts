/**
 * Mappings created or changed from SQL alone: a mappings row inserted (or
 * whose fields, mode or external id change) is a request; the engine plans
 * and applies it exactly as `sfsync map` does. A failure is recorded in
 * `mappings.last_error` (one line naming the fix) and retried by the sweep
 * only after the row changes again.
 */
import { run, sfsync } from '../db/typed-query.js';
import { sql } from 'kysely';
import type pg from 'pg';
import { withClient } from '../db/pool.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import { describeError } from '../salesforce/errors.js';
import { applyMapping } from './apply-mapping.js';
import type { MappingSpecInput } from './mapping-spec.js';

/** Apply the given mappings (or, without ids, every one never applied and not failed). Returns the ids applied. */
export async function applyMappingRequests(
  pool: pg.Pool,
  salesforceFor: (connectionId: string) => Promise<SalesforceClient>,
  ids?: string[],
): Promise<string[]> {
  if (ids?.length === 0) return []; // `in ()` is not SQL
  const select = sfsync
    .selectFrom('mappings')
    .select(['id', 'connection_id', 'sobject', 'schema_name', 'table_name', 'fields', 'mode', 'external_id_field', 'row_filter', 'compat'])
    .orderBy('id');
  // Given ids: those. Else every request not applied yet (field_info '[]') and not failed.
  const rows = await run(pool, ids ? select.where('id', 'in', ids) : select.where(sql<boolean>`field_info = '[]'::jsonb`).where('last_error', 'is', null));
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
      ...(row.compat === 'heroku-connect' ? { compat: row.compat } : {}),
    };
    try {
      const plan = await withClient(pool, async (client) => applyMapping(client, await salesforceFor(row.connection_id), spec, { onlyIfChanged: true }));
      if (plan.changed) applied.push(row.id);
    } catch (error) {
      await run(
        pool,
        sfsync
          .updateTable('mappings')
          .set({ last_error: JSON.stringify(describeError(error)), updated_at: sql<Date>`now()` })
          .where('id', '=', row.id),
      );
    }
  }
  return applied;
}
