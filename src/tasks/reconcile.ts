/**
 * `sfsync:reconcile`: the full comparison of a mapping with Salesforce
 * (inbound/reconcile-table.ts), recorded as a `reconcile` window. Queued
 * nightly per mapping by the poll-scheduler component (config.poll.reconcileCron)
 * and on demand (`select sfsync.request_reconcile('Account')`). A failed run
 * queues itself again within a minute, until it succeeds (inbound/retry-later.ts).
 */
import { governorState, type SfsyncTask } from '../jobs/context.js';
import type { EngineContext } from '../jobs/context.js';
import { loadInboundMapping, type InboundMapping } from '../inbound/inbound-mapping.js';
import { retryLaterOnFailure } from '../jobs/retry-later.js';
import { jobKeys } from '../jobs/payloads.js';
import { ensureUsable } from '../inbound/usable-mapping.js';
import { reconcileTable } from '../inbound/reconcile-table.js';
import { failWindow, finishWindow, startWindow } from '../inbound/window-log.js';

/** Reconcile one mapping. */
export const reconcile: SfsyncTask<'sfsync:reconcile'> = async (payload, _helpers, ctx) => {
  const mapping = await loadInboundMapping(ctx.pool, payload.mappingId, { feed: ctx.config.feed.enabled });
  if (mapping.state !== 'active') return;
  // At the API budget tonight's reconciliation is skipped; the poll scheduler queues the next one.
  if ((await governorState(ctx, mapping.connectionId)).level === 'stopped') return;
  const retry = { task: 'sfsync:reconcile' as const, payload, jobKey: jobKeys.reconcile(mapping.id) };
  await retryLaterOnFailure(ctx, retry, async () => {
    await ensureUsable(ctx, mapping);
    await reconcileMapping(ctx, mapping);
  });
};

async function reconcileMapping(ctx: EngineContext, mapping: InboundMapping): Promise<void> {
  const client = await ctx.salesforce(mapping.connectionId);
  const windowId = await startWindow(ctx.pool, {
    mappingId: mapping.id,
    kind: 'reconcile',
    lower: new Date(0),
    upper: new Date(Math.floor(Date.now() / 1000) * 1000 + 1000),
  });
  try {
    const result = await reconcileTable(ctx.pool, client, mapping, ctx.config.poll.upperLagMs);
    await finishWindow(ctx.pool, windowId, result);
    ctx.logger.info({ mapping: mapping.id, records: result.seen, fixed: result.applied }, 'reconcile finished');
  } catch (error) {
    await failWindow(ctx.pool, windowId, { api: 'bulk', seen: 0, applied: 0, failed: 0, apiCalls: 0 }, error);
    throw error;
  }
}
