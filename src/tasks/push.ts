/**
 * `sfsync:push`: send a mapping's captured changes to Salesforce.
 *
 * The job holds one pooled connection for its whole run: claims record that
 * connection's backend pid, so if this process dies its backend exits and the
 * next push (any process) recovers the claims (sfsync.recover_outbox) as
 * changes of unknown outcome. Rounds of up to CLAIM_LIMIT records repeat
 * until nothing is due; a REQUEST_LIMIT_EXCEEDED ends the job and queues the
 * next one for when the connection's pause ends. When records a poll held
 * back for unresolved inserts wait, it queues a poll to release them.
 */
import { hasDeferred } from '../inbound/release-deferred.js';
import { scheduleEventPoll } from '../jobs/schedule.js';
import { jobKeys } from '../jobs/payloads.js';
import { loadPushMapping } from '../outbound/claim.js';
import { claim, recover, releaseClaims } from '../outbox/outbox.js';
import { pushRound } from '../outbound/round.js';
import { releaseChildClaims } from '../outbound/claim-families.js';
import { governorState, type SfsyncTask } from '../jobs/context.js';
import { GOVERNED_BULK_THRESHOLD } from '../jobs/api-governor.js';

/** Records claimed per round: 10,000 keeps a round's write-back to one short transaction and still lets Bulk (threshold 2,000) take big batches. */
const CLAIM_LIMIT = 10_000;

/** The push task. */
export const push: SfsyncTask<'sfsync:push'> = async ({ mappingId }, helpers, context) => {
  const db = await context.pool.connect();
  const claimedBy = `${context.processName}/job:${helpers.job.id}`;
  try {
    const mapping = await loadPushMapping(db, mappingId);
    if (!mapping || !mapping.active) return;
    if (mapping.pausedUntil) {
      await context.addJob('sfsync:push', { mappingId }, { jobKey: jobKeys.push(mappingId), runAt: mapping.pausedUntil });
      return;
    }
    await recover(db, mappingId);
    const sf = await context.salesforce(mapping.connectionId);
    // Governed, a push leans on Bulk (one job of ~5 calls instead of one call per 200 records) from GOVERNED_BULK_THRESHOLD records.
    // At the budget it still sends the changes waiting in the outbox: each is a write the application committed.
    const governor = await governorState(context, mapping.connectionId);
    const pushSettings =
      governor.level === 'normal'
        ? context.config.push
        : { ...context.config.push, bulkThreshold: Math.min(context.config.push.bulkThreshold, GOVERNED_BULK_THRESHOLD) };
    let retryAt: Date | undefined;
    while (!context.signal.aborted) {
      const groups = await claim(db, mappingId, claimedBy, CLAIM_LIMIT);
      if (groups.length === 0) break;
      try {
        const round = await pushRound(db, sf, mapping, groups, { ...pushSettings, feed: context.config.feed.enabled, claimedBy });
        helpers.logger.debug(`push ${mapping.sobject}: ${round.records} records, ${round.sent} sent via ${round.api}`);
        retryAt = round.retryAt ?? retryAt;
        if (round.pausedUntil) {
          await context.addJob('sfsync:push', { mappingId }, { jobKey: jobKeys.push(mappingId), runAt: round.pausedUntil });
          return;
        }
      } catch (error) {
        // Unexpected failure (not a Salesforce per-record error): hand the claims back
        // as changes of unknown outcome, so the next push looks before it re-sends.
        await releaseClaims(db, mappingId, claimedBy).catch(() => undefined);
        // And the children it claimed from other mappings for composite graphs.
        await releaseChildClaims(db, mapping, claimedBy).catch(() => undefined);
        throw error;
      }
    }
    if (retryAt) await context.addJob('sfsync:push', { mappingId }, { jobKey: jobKeys.push(mappingId), runAt: retryAt });
    // Records a poll held back while this push's inserts were unresolved can go in now (release-deferred.ts).
    if (await hasDeferred(db, mappingId)) await scheduleEventPoll(context, mappingId);
  } finally {
    db.release();
  }
};
