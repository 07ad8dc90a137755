/**
 * `sfsync:reload`: the initial load, a full reload, or (with `fields`) a
 * backfill of newly mapped columns — Bulk API 2.0 queryAll paged by locator,
 * COPY'd into Postgres in one transaction (inbound/load-table.ts). The
 * first interval poll is queued when it commits; a failed load queues itself
 * again within a minute, until it succeeds (inbound/retry-later.ts).
 */
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
import type { SfsyncTask } from '../jobs/context.js';
import { describeError } from '../salesforce/errors.js';
import type { EngineContext } from '../jobs/context.js';
import { loadInboundMapping, type InboundMapping } from '../inbound/inbound-mapping.js';
import { retryLaterOnFailure } from '../jobs/retry-later.js';
import { ensureUsable } from '../inbound/usable-mapping.js';
import { jobKeys } from '../jobs/payloads.js';
import { loadTable } from '../inbound/load-table.js';
import { withRemovedFields } from '../inbound/removed-field.js';
import { scheduleIntervalPoll } from '../jobs/schedule.js';
import { failWindow, type WindowCounters } from '../inbound/window-log.js';

/** Load one mapping. */
export const reload: SfsyncTask<'sfsync:reload'> = async (payload, _helpers, ctx) => {
  const mapping = await loadInboundMapping(ctx.pool, payload.mappingId, { feed: ctx.config.feed.enabled });
  // Not applied yet (a failed SQL request): nothing to load, and its last_error must stay the request's own.
  if (mapping.state === 'paused' || mapping.fields.length === 0) return;
  if (mapping.state === 'new')
    await run(
      ctx.pool,
      sfsync
        .updateTable('mappings')
        .set({ state: 'loading', updated_at: sql<Date>`now()` })
        .where('id', '=', mapping.id)
        .where('state', '=', 'new'),
    );
  const retry = { task: 'sfsync:reload' as const, payload, jobKey: jobKeys.reload(mapping.id) };
  await retryLaterOnFailure(ctx, retry, async () => {
    await ensureUsable(ctx, mapping);
    await loadMapping(ctx, mapping, payload.fields);
  });
  await scheduleIntervalPoll(ctx, mapping.id, new Date());
};

async function loadMapping(ctx: EngineContext, mapping: InboundMapping, fields: string[] | undefined): Promise<void> {
  const client = await ctx.salesforce(mapping.connectionId);
  try {
    const counters = await withRemovedFields(ctx.pool, mapping, (m) =>
      loadTable(ctx.pool, client, m, { upperLagMs: ctx.config.poll.upperLagMs, ...(fields ? { fields } : {}) }),
    );
    ctx.logger.info(
      { mapping: mapping.id, sobject: mapping.sobject, records: counters.seen, failed: counters.failed, backfill: fields ?? null },
      'load finished',
    );
  } catch (error) {
    const e = error as { windowId?: string; counters?: WindowCounters };
    if (e.windowId) await failWindow(ctx.pool, e.windowId, e.counters ?? { api: 'bulk', seen: 0, applied: 0, failed: 0, apiCalls: 0 }, error);
    await run(
      ctx.pool,
      sfsync
        .updateTable('mappings')
        .set({ last_error: JSON.stringify(describeError(error)), updated_at: sql<Date>`now()` })
        .where('id', '=', mapping.id),
    );
    throw error;
  }
}
