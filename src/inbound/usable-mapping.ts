/**
 * The last check before a mapping's stored values reach a query: the row
 * passed its re-check when loaded (inbound-mapping.ts), and its row filter
 * reads only fields describe knows (describe is cached per client, so this
 * costs a call only when the object is first seen). An unusable mapping is
 * marked in `last_error` (MAPPING_STORED_INVALID, one line naming the fix)
 * and its jobs skip it instead of failing every poll; the mark is cleared
 * when the row is usable again.
 */
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
import { SfsyncError, isSfsyncError } from '../errors.js';
import { parseRowFilter } from '../mapping/row-filter.js';
import { STORED_INVALID, markUnusable } from '../mapping/stored-mapping.js';
import type { EngineContext } from '../jobs/context.js';
import type { InboundMapping } from './inbound-mapping.js';

/** Throws SfsyncError MAPPING_STORED_INVALID (after marking the mapping) when `mapping` must not be used. */
export async function ensureUsable(ctx: EngineContext, mapping: InboundMapping): Promise<void> {
  let problem = mapping.problem;
  if (!problem && mapping.rowFilter !== null) {
    const described = await (await ctx.salesforce(mapping.connectionId)).describe(mapping.sobject);
    try {
      parseRowFilter(mapping.rowFilter, mapping.sobject, described);
    } catch (error) {
      if (!isSfsyncError(error)) throw error;
      problem = new SfsyncError(STORED_INVALID, `Mapping ${mapping.id}'s stored row_filter is unusable: ${error.message}`);
    }
  }
  if (problem) {
    await markUnusable(ctx.pool, mapping.id, problem);
    throw problem;
  }
  if (mapping.errorCode === STORED_INVALID) {
    await run(
      ctx.pool,
      sfsync
        .updateTable('mappings')
        .set({ last_error: null, updated_at: sql<Date>`now()` })
        .where('id', '=', mapping.id)
        .where(sql<string>`last_error ->> 'code'`, '=', STORED_INVALID),
    );
  }
}

/** True for the error {@link ensureUsable} throws. */
export function isUnusable(error: unknown): error is SfsyncError {
  return isSfsyncError(error, STORED_INVALID);
}
