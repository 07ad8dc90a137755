/**
 * `applyMappings` plans and runs mappings in ONE transaction (tables, columns,
 * mappings rows, triggers and backfill jobs all commit together or not at
 * all), for `sfsync map` (one), `--plan` (rolled back), `import` and the
 * engine's requests alike; `removeMapping` drops the triggers and the row through the SQL
 * function `sfsync.remove_mapping` (the table is kept unless asked).
 */
import type pg from 'pg';
import { MAPPING_LOCK_KEY } from '../db/locks.js';
import { SfsyncError } from '../errors.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import type { MappingSpecInput } from './mapping-spec.js';
import { planMapping, type MappingPlan } from './plan-mapping.js';

/** Options of {@link applyMappings}. */
export interface ApplyMappingOptions {
  /** Plan only: every statement runs, then everything is rolled back (`--plan`; planning also reserves ids). */
  planOnly?: boolean;
  /** Run no statement of a plan that would change nothing (the engine's re-apply of requests). */
  onlyIfChanged?: boolean;
  /** Told after each mapping (the import's progress bar). */
  progress?: { update(done: number, total: number): void };
  /** The error to throw when mapping `index` fails (default: its own SfsyncError, else MAPPING_APPLY_FAILED). */
  onFailure?: (index: number, spec: MappingSpecInput, error: unknown) => Error;
  /** Adopt the tables in place: keep their rows, queue no initial load (planMapping's `adopt`). Default false. */
  adopt?: boolean;
  /**
   * Run after the plans, in the same transaction (`sfsync adopt`'s SQL
   * function); returns true when it changed something, which counts as a
   * change for `onlyIfChanged`.
   */
  finish?: (client: pg.ClientBase, plans: MappingPlan[]) => Promise<boolean>;
}

/**
 * Plan and apply `specs` in ONE transaction on `client` (which must not be
 * inside a transaction): tables, columns, mappings rows, triggers and backfill
 * jobs all commit together, or nothing does. Each plan runs before the next
 * is made, so a later plan sees the tables and rows of the earlier ones.
 */
export async function applyMappings(
  client: pg.ClientBase,
  salesforce: SalesforceClient,
  specs: MappingSpecInput[],
  options: ApplyMappingOptions = {},
): Promise<MappingPlan[]> {
  const plans: MappingPlan[] = [];
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [MAPPING_LOCK_KEY]);
    for (const [index, spec] of specs.entries()) {
      try {
        const plan = await planMapping(client, salesforce, spec, { adopt: Boolean(options.adopt) });
        if (!(options.onlyIfChanged && !plan.changed)) for (const statement of plan.statements) await client.query(statement);
        plans.push(plan);
      } catch (error) {
        throw (options.onFailure ?? applyFailure)(index, spec, error);
      }
      options.progress?.update(index + 1, specs.length);
    }
    const finished = options.finish ? await options.finish(client, plans) : false;
    await client.query(options.planOnly || (!finished && plans.every((p) => options.onlyIfChanged && !p.changed)) ? 'rollback' : 'commit');
    return plans;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/** {@link applyMappings} of one mapping. */
export async function applyMapping(
  client: pg.ClientBase,
  salesforce: SalesforceClient,
  spec: MappingSpecInput,
  options: Omit<ApplyMappingOptions, 'progress'> = {},
): Promise<MappingPlan> {
  const [plan] = await applyMappings(client, salesforce, [spec], options);
  return plan!;
}

function applyFailure(_index: number, spec: MappingSpecInput, error: unknown): Error {
  if (error instanceof SfsyncError) return error;
  const e = error as Error;
  return new SfsyncError(
    'MAPPING_APPLY_FAILED',
    `Applying the ${String((spec as { sobject?: unknown }).sobject)} mapping failed (${e.message}); nothing was changed — fix the cause and run it again.`,
    { cause: error },
  );
}

/** Options of {@link removeMapping}. */
export interface RemoveMappingOptions {
  /** Also drop the table (default false: the data stays). */
  dropTable?: boolean;
}

/** Remove a mapping: drop its triggers and its row (outbox rows go with it); the table stays by default. Returns false when no such mapping. */
export async function removeMapping(client: pg.ClientBase, mappingId: string, options: RemoveMappingOptions = {}): Promise<boolean> {
  // A call of sfsync's SQL function, so SQL text.
  // remove_mapping raises on an unknown id: called only for a row that exists, false still means none, and the caller's transaction lives on.
  const { rows } = await client.query<{ removed: boolean }>('select sfsync.remove_mapping(m.id, $2) as removed from sfsync.mappings m where m.id = $1', [
    mappingId,
    options.dropTable ?? false,
  ]);
  return rows[0]?.removed ?? false;
}
