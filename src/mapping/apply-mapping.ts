/**
 * `applyMapping` runs a mapping plan in ONE transaction (table, columns,
 * mappings row, triggers and the backfill job all commit together or not at
 * all); `removeMapping` drops the triggers and the row through the SQL
 * function `sfsync.remove_mapping` (the table is kept unless asked).
 */
import type pg from 'pg';
import { MAPPING_LOCK_KEY } from '../db/locks.js';
import { SfsyncError } from '../errors.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import type { MappingSpecInput } from './mapping-spec.js';
import { planMapping, type MappingPlan } from './plan-mapping.js';

/** Plan and apply a mapping in one transaction on `client` (which must not be inside a transaction); `onlyIfChanged` skips a plan that would change nothing. */
export async function applyMapping(client: pg.ClientBase, salesforce: SalesforceClient, spec: MappingSpecInput, options: { onlyIfChanged?: boolean } = {}): Promise<MappingPlan> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [MAPPING_LOCK_KEY]);
    const plan = await planMapping(client, salesforce, spec);
    if (options.onlyIfChanged && !plan.changed) {
      await client.query('rollback');
      return plan;
    }
    for (const statement of plan.statements) await client.query(statement);
    await client.query('commit');
    return plan;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    if (error instanceof SfsyncError) throw error;
    const e = error as Error & { code?: string };
    throw new SfsyncError('MAPPING_APPLY_FAILED', `Applying the ${String((spec as { sobject?: unknown }).sobject)} mapping failed (${e.message}); nothing was changed — fix the cause and run it again.`, { cause: error });
  }
}

/** Options of {@link removeMapping}. */
export interface RemoveMappingOptions {
  /** Also drop the table (default false: the data stays). */
  dropTable?: boolean;
}

/** Remove a mapping: drop its triggers and its row (outbox rows go with it); the table stays by default. Returns false when no such mapping. */
export async function removeMapping(client: pg.ClientBase, mappingId: string, options: RemoveMappingOptions = {}): Promise<boolean> {
  // remove_mapping raises on an unknown id: called only for a row that exists, false still means none, and the caller's transaction lives on.
  const { rows } = await client.query<{ removed: boolean }>('select sfsync.remove_mapping(m.id, $2) as removed from sfsync.mappings m where m.id = $1', [mappingId, options.dropTable ?? false]);
  return rows[0]?.removed ?? false;
}
