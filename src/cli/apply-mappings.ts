/**
 * Plan or apply several mappings together (`sfsync import`): every plan is
 * made and every statement run in ONE transaction, so a bad mapping in the
 * middle of a file leaves the database exactly as it was.
 */
import type pg from 'pg';
import { MAPPING_LOCK_KEY } from '../db/locks.js';
import { SfsyncError } from '../errors.js';
import { planMapping, type MappingPlan } from '../mapping/plan-mapping.js';
import type { MappingSpecInput } from '../mapping/mapping-spec.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import type { Progress } from './progress.js';

/** Plan (and unless `planOnly`, apply) `specs` in one transaction; rolls everything back on the first failure. */
export async function applyMappings(
  client: pg.ClientBase,
  salesforce: SalesforceClient,
  specs: MappingSpecInput[],
  options: { planOnly: boolean; progress?: Progress },
): Promise<MappingPlan[]> {
  const plans: MappingPlan[] = [];
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [MAPPING_LOCK_KEY]);
    for (const [index, spec] of specs.entries()) {
      try {
        const plan = await planMapping(client, salesforce, spec);
        // Run each plan before planning the next: a later plan must see the
        // tables and rows of the earlier ones (two objects, one schema).
        for (const statement of plan.statements) await client.query(statement);
        plans.push(plan);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new SfsyncError('IMPORT_FAILED', `Mapping ${index + 1} (${String(spec.sobject)}) failed: ${reason.replace(/[.;]?\s*$/, '')}; nothing was imported.`, { cause: error });
      }
      options.progress?.update(index + 1, specs.length);
    }
    await client.query(options.planOnly ? 'rollback' : 'commit');
    return plans;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
