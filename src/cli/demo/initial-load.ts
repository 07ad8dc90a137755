/**
 * The demo's initial load: one progress bar per mapping, following the
 * `sfsync:reload` the mapping queued (or the demo re-queued). When the read
 * path is not in this build, say so instead of waiting for nothing.
 */
import type pg from 'pg';
import type { MappingPlan } from '../../mapping/plan-mapping.js';
import { followReload } from '../reload-progress.js';

/** Follow each mapping's reload, in order; a failed one is reported and the demo goes on. */
export async function loadInitialData(pool: pg.Pool, plans: MappingPlan[], since: Date, options: { missing: string[]; signal: AbortSignal }): Promise<void> {
  if (options.missing.includes('sfsync:reload')) {
    console.log('» initial load skipped: the read path (sfsync:reload) is not in this build yet — the tables stay empty');
    return;
  }
  console.log('» initial load (Bulk API 2.0)');
  for (const plan of plans) {
    if (options.signal.aborted) return;
    try {
      const result = await followReload(pool, plan.mappingId, since, { timeoutMs: 600_000, label: plan.spec.sobject, signal: options.signal });
      if (!options.signal.aborted) console.log(`  ${plan.spec.sobject}: ${result.records} records in ${(result.ms / 1000).toFixed(1)} s`);
    } catch (error) {
      console.log(`  ${plan.spec.sobject}: ${(error as Error).message}`);
    }
  }
}
