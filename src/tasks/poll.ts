/**
 * `sfsync:poll`: poll a mapping's next primary window [watermark, now − lag)
 * (window-bounds.ts explains the bounds), apply it, record it, advance the
 * watermark, queue its drift re-poll, and queue the next interval poll.
 */
import { run, sfsync } from '../db/typed-query.js';
import { sql } from 'kysely';
import { governorState, type SfsyncTask } from '../jobs/context.js';
import { MAX_STRETCH } from '../jobs/api-governor.js';
import type { EngineContext } from '../jobs/context.js';
import { withTransaction } from '../db/pool.js';
import { fetchAndApply } from '../inbound/fetch-apply.js';
import { loadInboundMapping, type InboundMapping } from '../inbound/inbound-mapping.js';
import { scheduleDrift, scheduleIntervalPoll, scheduleReload } from '../jobs/schedule.js';
import { withRemovedFields } from '../inbound/removed-field.js';
import { releaseDeferred } from '../inbound/release-deferred.js';
import { ensureUsable, isUnusable } from '../inbound/usable-mapping.js';
import { endPause } from '../outbound/write-back.js';
import { promoteReplay, readPendingReplay } from '../inbound/stream-replay.js';
import { failWindow, finishWindow, startWindow, type WindowCounters } from '../inbound/window-log.js';
import { nextPrimaryWindow, selectFields, windowSoql, type Window } from '../inbound/window-bounds.js';

/**
 * Count first (one extra API call) only for windows longer than this: a
 * window of a few poll intervals cannot plausibly hold 10,000 changes of an
 * idle-to-busy object, and skipping COUNT() halves an idle mapping's calls.
 */
const COUNT_ABOVE_SPAN_MS = 5 * 60_000;

/** Poll one mapping. */
export const poll: SfsyncTask<'sfsync:poll'> = async (payload, _helpers, ctx) => {
  const mapping = await loadInboundMapping(ctx.pool, payload.mappingId, { feed: ctx.config.feed.enabled });
  const reason = payload.reason ?? 'interval';
  ctx.logger.debug({ mapping: mapping.id, reason, state: mapping.state, watermark: mapping.watermark }, 'poll');
  if (mapping.state === 'new' || mapping.watermark === null) {
    // The initial load sets the first watermark; it queues the first poll when done.
    // A mapping requested from SQL and not applied yet (field_info '[]') has nothing to load: the engine applies it first.
    if (mapping.state === 'new' && mapping.fields.length > 0) await scheduleReload(ctx, mapping.id);
    return;
  }
  // The API governor stretches interval polls as the org nears sfsync's budget, and stops them (event polls too) at it.
  let stretch = 1;
  try {
    // A paused mapping keeps its (cheap) interval chain so resuming needs nothing else; so does an unusable one (marked in last_error).
    if (mapping.state === 'active') {
      const governor = await governorState(ctx, mapping.connectionId);
      stretch = Math.min(governor.factor, MAX_STRETCH);
      const capped = governor.level !== 'stopped' && (await overDailyCap(ctx, mapping));
      if (governor.level === 'stopped' || capped) {
        ctx.logger.debug({ mapping: mapping.id, governor: governor.level, capped }, 'poll skipped: API budget spent');
        return;
      }
      await ensureUsable(ctx, mapping);
      await withRemovedFields(ctx.pool, mapping, (m) => pollWindow(ctx, m, mapping.watermark!, reason, stretch));
    }
  } catch (error) {
    if (!isUnusable(error)) throw error;
    ctx.logger.debug({ mapping: mapping.id, err: error }, 'poll skipped: the stored mapping is unusable');
  } finally {
    if (reason !== 'event') await scheduleIntervalPoll(ctx, mapping.id, new Date(Date.now() + mapping.pollIntervalMs * stretch));
  }
};

/** Whether the mapping's poll windows made its `max_daily_api_calls` or more today (server time). */
async function overDailyCap(ctx: EngineContext, mapping: InboundMapping): Promise<boolean> {
  if (mapping.maxDailyApiCalls === null) return false;
  const rows = await run(
    ctx.pool,
    sfsync
      .selectFrom('poll_windows')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('api_calls'), sql<number>`0`).as('calls'))
      .where('mapping_id', '=', mapping.id)
      .where('started_at', '>=', sql<Date>`date_trunc('day', now())`),
  );
  return Number(rows[0]?.calls ?? 0) >= mapping.maxDailyApiCalls;
}

async function chooseApi(ctx: EngineContext, mapping: InboundMapping, window: Window, reason: string): Promise<'rest' | 'bulk'> {
  const span = window.upper.getTime() - window.lower.getTime();
  if (span <= COUNT_ABOVE_SPAN_MS && reason !== 'manual') return 'rest';
  const client = await ctx.salesforce(mapping.connectionId);
  const count = await client.count(windowSoql({ sobject: mapping.sobject, fields: [], rowFilter: mapping.rowFilter, lower: window.lower }, 'count'), {
    includeDeleted: true,
  });
  return count > ctx.config.poll.bulkThreshold ? 'bulk' : 'rest';
}

/** Poll from `watermark`; records a window row when `upper` has moved past it. */
async function pollWindow(ctx: EngineContext, mapping: InboundMapping, watermark: Date, reason: string, stretch: number): Promise<void> {
  const client = await ctx.salesforce(mapping.connectionId);
  const pending = await readPendingReplay(ctx.pool, mapping.connectionId, mapping.sobject);
  const window = nextPrimaryWindow(watermark, Date.now(), ctx.config.poll.upperLagMs);
  const soql = windowSoql({ sobject: mapping.sobject, fields: selectFields(mapping.fields), rowFilter: mapping.rowFilter, lower: watermark });
  if (!window) {
    // Within the same second as the last window: only an event poll reads the tail (latency), nothing is recorded.
    if (reason === 'event') await fetchAndApply(ctx.pool, client, mapping, soql, { api: 'rest', includeDeleted: true });
    await releaseDeferred(ctx.pool, client, mapping);
    await promoteReplay(ctx.pool, mapping.connectionId, pending);
    return;
  }
  const windowId = await startWindow(ctx.pool, { mappingId: mapping.id, kind: 'primary', ...window });
  const startCalls = client.callCount;
  let counters: WindowCounters = { api: null, seen: 0, applied: 0, failed: 0, apiCalls: 0 };
  try {
    const api = await chooseApi(ctx, mapping, window, reason);
    counters = await fetchAndApply(ctx.pool, client, mapping, soql, { api, includeDeleted: true });
    counters.apiCalls = client.callCount - startCalls;
    // Governed (stretch > 1), drift re-polls wait longer, so more windows join each one.
    const due = new Date(Date.now() + mapping.driftDelayMs * stretch);
    await withTransaction(ctx.pool, async (tx) => {
      await finishWindow(tx, windowId, counters, { secondaryDueAt: due });
      // Guarded by the old watermark: a concurrent reload that moved it wins.
      await run(
        tx,
        sfsync
          .updateTable('mappings')
          .set({ watermark: window.upper, updated_at: sql<Date>`now()` })
          .where('id', '=', mapping.id)
          .where('watermark', '=', watermark),
      );
    });
    await scheduleDrift(ctx, mapping.connectionId, mapping.id, windowId, due);
  } catch (error) {
    counters.apiCalls = client.callCount - startCalls;
    await failWindow(ctx.pool, windowId, counters, error);
    throw error;
  }
  await endPause(ctx.pool, mapping.connectionId);
  await releaseDeferred(ctx.pool, client, mapping);
  await promoteReplay(ctx.pool, mapping.connectionId, pending);
}
