/**
 * `sfsync:drift`: re-poll a succeeded primary window with the same bounds
 * after the mapping's drift delay. Whatever the primary missed — a long
 * Salesforce transaction that committed late with an earlier SystemModstamp —
 * is applied now; the rows it changed are counted in `drift_fixed` (re-applying
 * what the primary already had is a no-op and counts nothing).
 */
import type { SfsyncTask } from './task-list.js';
import { fetchAndApply } from './inbound/fetch-apply.js';
import { loadInboundMapping } from './inbound/inbound-mapping.js';
import { withRemovedFields } from './inbound/removed-field.js';
import { failWindow, finishWindow, startWindow, type WindowCounters } from './inbound/window-log.js';
import { selectFields, windowSoql } from '../sync/window-bounds.js';

/** Re-poll one primary window. */
export const drift: SfsyncTask<'sfsync:drift'> = async (payload, _helpers, ctx) => {
  const { rows } = await ctx.pool.query<{ mapping_id: string; lower: Date; upper: Date; kind: string; records_seen: number }>(
    'select mapping_id::text, lower, upper, kind, records_seen from sfsync.poll_windows where id = $1',
    [payload.windowId],
  );
  const primary = rows[0];
  if (!primary || primary.kind !== 'primary') return;
  const mapping = await loadInboundMapping(ctx.pool, primary.mapping_id);
  if (mapping.state === 'paused') return;
  const client = await ctx.salesforce(mapping.connectionId);
  const bounds = { lower: primary.lower, upper: primary.upper };
  const windowId = await startWindow(ctx.pool, { mappingId: mapping.id, kind: 'secondary', ...bounds });
  // The primary saw roughly what the re-poll will see: the same API choice applies.
  const api = primary.records_seen > ctx.config.poll.bulkThreshold ? 'bulk' : 'rest';
  let counters: WindowCounters = { api, seen: 0, applied: 0, failed: 0, apiCalls: 0 };
  try {
    counters = await withRemovedFields(ctx.pool, mapping, (m) =>
      fetchAndApply(ctx.pool, client, m, windowSoql({ sobject: m.sobject, fields: selectFields(m.fields), rowFilter: m.rowFilter, ...bounds }), { api, includeDeleted: true }),
    );
    await finishWindow(ctx.pool, windowId, counters, { driftFixed: counters.applied });
    // The primary's row says its second look is done.
    await ctx.pool.query('update sfsync.poll_windows set secondary_due_at = null where id = $1', [payload.windowId]);
  } catch (error) {
    await failWindow(ctx.pool, windowId, counters, error);
    throw error;
  }
};
