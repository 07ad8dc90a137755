/**
 * `sfsync:fetch-records`: a Platform Event named records of a mapping
 * (mappings.event_channel / event_field): fetch them by Id (SOQL `Id IN (…)`
 * with the mapping's row filter, deleted ones included, ≤ 300 Ids a query,
 * fewer when the field list is long: salesforce/query-chunks.ts)
 * and apply them through the poll's path — the same conversion, conflict
 * rules and "never older than the row" test. The event only says which
 * records to look at; their values always come from Salesforce.
 *
 * Then the event's replay id is promoted (inbound/stream-replay.ts), so a
 * restart resumes after it. The jobs of a mapping run in its poll queue
 * (jobs/schedule.ts), one at a time in the order the events came, so a later
 * replay id is never promoted before an earlier event's records are applied.
 */
import { isSfsyncError } from '../errors.js';
import type { SfsyncTask } from '../jobs/context.js';
import { fetchAndApply } from '../inbound/fetch-apply.js';
import { loadInboundMapping } from '../inbound/inbound-mapping.js';
import { withRemovedFields } from '../inbound/removed-field.js';
import { promoteReplay } from '../inbound/stream-replay.js';
import { ensureUsable, isUnusable } from '../inbound/usable-mapping.js';
import { selectFields, windowSoql } from '../inbound/window-bounds.js';
import { soqlChunks } from '../salesforce/query-chunks.js';

/** Ids per query at most: 300 18-character literals keep the SOQL well under its 100,000-character limit (and the URI's, query-chunks.ts, bounds it too). */
const IDS_PER_QUERY = 300;
/** A Salesforce record Id: 15 or 18 letters and digits. */
const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Fetch and apply the records an event named. */
export const fetchRecords: SfsyncTask<'sfsync:fetch-records'> = async (payload, _helpers, ctx) => {
  const mapping = await loadInboundMapping(ctx.pool, payload.mappingId, { feed: ctx.config.feed.enabled }).catch((error: unknown) => {
    // Unmapped since the event came: nothing to apply.
    if (isSfsyncError(error, 'UNKNOWN_MAPPING')) return undefined;
    throw error;
  });
  if (!mapping) return;
  const ids = [...new Set(payload.ids.filter((id) => RECORD_ID.test(id)))];
  // Before its load (new, loading) the load brings every record; a paused mapping's poll resumes from its watermark.
  if (mapping.state === 'active' && ids.length > 0) {
    try {
      await ensureUsable(ctx, mapping);
      const client = await ctx.salesforce(mapping.connectionId);
      await withRemovedFields(ctx.pool, mapping, async (m) => {
        const fields = selectFields(m.fields);
        for (const { soql } of soqlChunks(ids, (some) => windowSoql({ sobject: m.sobject, fields, rowFilter: m.rowFilter, ids: some }), IDS_PER_QUERY)) {
          await fetchAndApply(ctx.pool, client, m, soql, { api: 'rest', includeDeleted: true });
        }
      });
    } catch (error) {
      if (!isUnusable(error)) throw error;
      ctx.logger.debug({ mapping: mapping.id, err: error }, 'event fetch skipped: the stored mapping is unusable');
    }
  }
  if (payload.channel && payload.replayId) await promoteReplay(ctx.pool, mapping.connectionId, [{ channel: payload.channel, replayId: payload.replayId }]);
};
