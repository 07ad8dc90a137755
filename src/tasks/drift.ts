/**
 * `sfsync:drift`: re-poll a mapping's succeeded primary windows after its
 * drift delay. Whatever the primaries missed — a long Salesforce transaction
 * that committed late with an earlier SystemModstamp — is applied now; the
 * rows changed are counted in `drift_fixed` (re-applying what the primary
 * already had is a no-op and counts nothing).
 *
 * One job per mapping (job key `sfsync:drift:<mapping>`): it re-polls every
 * due window at once, consecutive windows as ONE secondary poll with their
 * overall bounds (inbound/drift-windows.ts), then queues itself for the next due
 * window, at most once per drift delay. An idle mapping at 30 s polls and the
 * default 10-minute delay makes 6 re-polls an hour instead of 120.
 * The payload's `windowId` names any primary window of the mapping (the one
 * that queued the job). A failed re-poll leaves its windows due and the job
 * queues itself again within a minute (inbound/retry-later.ts): a drift
 * re-poll is never dropped.
 */
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
import { governorState, type SfsyncTask } from '../jobs/context.js';
import type { EngineContext } from '../jobs/context.js';
import { fetchAndApply } from '../inbound/fetch-apply.js';
import { loadInboundMapping, type InboundMapping } from '../inbound/inbound-mapping.js';
import { driftQueue, scheduleDrift } from '../jobs/schedule.js';
import { retryLaterOnFailure } from '../jobs/retry-later.js';
import { jobKeys } from '../jobs/payloads.js';
import { withRemovedFields } from '../inbound/removed-field.js';
import { ensureUsable } from '../inbound/usable-mapping.js';
import { failWindow, finishWindow, startWindow, type WindowCounters } from '../inbound/window-log.js';
import { coalesceDriftWindows, nextDriftRun, type DriftRange, type DueWindow } from '../inbound/drift-windows.js';
import { selectFields, windowSoql } from '../inbound/window-bounds.js';

/** Re-poll every due primary window of the window's mapping. */
export const drift: SfsyncTask<'sfsync:drift'> = async (payload, _helpers, ctx) => {
  const rows = await run(ctx.pool, sfsync.selectFrom('poll_windows').select('mapping_id').where('id', '=', payload.windowId));
  const mappingId = rows[0]?.mapping_id;
  if (mappingId === undefined) return;
  const mapping = await loadInboundMapping(ctx.pool, mappingId, { feed: ctx.config.feed.enabled });
  if (mapping.state === 'paused') return; // resume re-polls from the watermark; nothing here is lost
  // At the API budget the due windows wait (still due); the next primary poll after it queues this job again.
  if ((await governorState(ctx, mapping.connectionId)).level === 'stopped') return;
  const retry = { task: 'sfsync:drift' as const, payload, jobKey: jobKeys.drift(mapping.id), queueName: driftQueue(ctx, mapping.connectionId, mapping.id) };
  await retryLaterOnFailure(ctx, retry, async () => {
    await ensureUsable(ctx, mapping);
    await repollDue(ctx, mapping);
  });
};

/** Re-poll every due window of the mapping, then queue the next run for the earliest window still due. */
async function repollDue(ctx: EngineContext, mapping: InboundMapping): Promise<void> {
  const startedMs = Date.now();
  const due = await run(
    ctx.pool,
    sfsync
      .selectFrom('poll_windows')
      .select(['id', 'lower', 'upper', 'records_seen'])
      .where('mapping_id', '=', mapping.id)
      .where('kind', '=', 'primary')
      .where('outcome', '=', 'succeeded')
      .where('secondary_due_at', '<=', sql<Date>`now()`),
  );
  const windows: DueWindow[] = due.map((r) => ({ id: r.id, lower: r.lower, upper: r.upper, recordsSeen: r.records_seen }));
  for (const range of coalesceDriftWindows(windows)) await repoll(ctx, mapping, range);
  const [first] = await run(
    ctx.pool,
    sfsync
      .selectFrom('poll_windows')
      .select(['id', 'secondary_due_at'])
      .where('mapping_id', '=', mapping.id)
      .where('kind', '=', 'primary')
      .where('secondary_due_at', 'is not', null)
      .orderBy('secondary_due_at')
      .limit(1),
  );
  if (first?.secondary_due_at)
    await scheduleDrift(ctx, mapping.connectionId, mapping.id, first.id, nextDriftRun(first.secondary_due_at, startedMs, mapping.driftDelayMs));
}

/** One secondary poll over `range`; its primaries are marked re-polled when it succeeds. */
async function repoll(ctx: EngineContext, mapping: InboundMapping, range: DriftRange): Promise<void> {
  const client = await ctx.salesforce(mapping.connectionId);
  const bounds = { lower: range.lower, upper: range.upper };
  const windowId = await startWindow(ctx.pool, { mappingId: mapping.id, kind: 'secondary', ...bounds });
  // The primaries saw roughly what the re-poll will see: the same API choice applies.
  const api = range.recordsSeen > ctx.config.poll.bulkThreshold ? 'bulk' : 'rest';
  const startCalls = client.callCount;
  let counters: WindowCounters = { api, seen: 0, applied: 0, failed: 0, apiCalls: 0 };
  try {
    counters = await withRemovedFields(ctx.pool, mapping, (m) =>
      fetchAndApply(ctx.pool, client, m, windowSoql({ sobject: m.sobject, fields: selectFields(m.fields), rowFilter: m.rowFilter, ...bounds }), {
        api,
        includeDeleted: true,
      }),
    );
    counters.apiCalls = client.callCount - startCalls;
    await finishWindow(ctx.pool, windowId, counters, { driftFixed: counters.applied });
    // The primaries' rows say their second look is done.
    await run(ctx.pool, sfsync.updateTable('poll_windows').set({ secondary_due_at: null }).where('id', 'in', range.windowIds));
  } catch (error) {
    counters.apiCalls = client.callCount - startCalls;
    await failWindow(ctx.pool, windowId, counters, error);
    throw error;
  }
}
