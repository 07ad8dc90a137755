/**
 * `sfsync:push`: send a mapping's captured changes to Salesforce.
 *
 * The job holds one pooled connection per lane for its whole run: claims
 * record that connection's backend pid, so if this process dies its backend
 * exits and the next push (any process) recovers the claims
 * (sfsync.recover_outbox) as changes of unknown outcome. Rounds of up to
 * CLAIM_LIMIT records repeat until nothing is due; a REQUEST_LIMIT_EXCEEDED
 * ends the job and queues the next one for when the connection's pause ends.
 * When records a poll held back for unresolved inserts wait, it queues a poll
 * to release them.
 *
 * A backlog bigger than one round gets a second lane: its own connection and
 * claimer name, claiming the next records while the first lane's round is
 * built, sent and written back, so the connection's calls in flight
 * (config.push.concurrency, shared through the connection limiter) never wait
 * for Postgres work between rounds. Measured with 150 ms round trips, one
 * lane spent about half of a 20,000-record push with no call in flight
 * (bench/push-throughput.ts). Two lanes are safe for the same reason two
 * engines are: sfsync.claim_outbox serializes claims and never hands out a
 * record that has a change in flight.
 */
import type pg from 'pg';
import { hasDeferred } from '../inbound/release-deferred.js';
import { scheduleEventPoll } from '../jobs/schedule.js';
import { jobKeys } from '../jobs/payloads.js';
import { loadPushMapping, type PushMapping } from '../outbound/claim.js';
import { claim, recover, releaseClaims } from '../outbox/outbox.js';
import { pushRound } from '../outbound/round.js';
import type { SfsyncTask } from '../jobs/context.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';

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
    let second: Promise<LaneResult> | undefined;
    const started = lane(db, sf, mapping, claimedBy, helpers, context, (claimed) => {
      if (second !== undefined || claimed < CLAIM_LIMIT) return;
      second = (async () => {
        const db2 = await context.pool.connect();
        try {
          return await lane(db2, sf, mapping, `${claimedBy}/2`, helpers, context);
        } finally {
          db2.release();
        }
      })();
      // Awaited below; a rejection before then must not count as unhandled.
      second.catch(() => undefined);
    });
    // The second lane is always awaited, so no lane outlives its job, even a failed one.
    const first = await started.finally(() => second?.catch(() => undefined));
    const other = second === undefined ? {} : await second;
    const pausedUntil = first.pausedUntil ?? other.pausedUntil;
    if (pausedUntil) {
      await context.addJob('sfsync:push', { mappingId }, { jobKey: jobKeys.push(mappingId), runAt: pausedUntil });
      return;
    }
    const retryAt = [first.retryAt, other.retryAt].reduce<Date | undefined>((a, b) => (a === undefined || (b !== undefined && b < a) ? b : a), undefined);
    if (retryAt) await context.addJob('sfsync:push', { mappingId }, { jobKey: jobKeys.push(mappingId), runAt: retryAt });
    // Records a poll held back while this push's inserts were unresolved can go in now (release-deferred.ts).
    if (await hasDeferred(db, mappingId)) await scheduleEventPoll(context, mappingId);
  } finally {
    db.release();
  }
};

/** How a lane ended: a pause Salesforce asked for, or the earliest retry of a record sent back to 'new'. */
interface LaneResult {
  pausedUntil?: Date;
  retryAt?: Date;
}

type TaskArgs = Parameters<SfsyncTask<'sfsync:push'>>;

/** Claim and push rounds on `db` until nothing is due or Salesforce asks for a pause; `onClaim` hears each round's record count. */
async function lane(
  db: pg.PoolClient,
  sf: SalesforceClient,
  mapping: PushMapping,
  claimedBy: string,
  helpers: TaskArgs[1],
  context: TaskArgs[2],
  onClaim?: (records: number) => void,
): Promise<LaneResult> {
  let retryAt: Date | undefined;
  while (!context.signal.aborted) {
    const groups = await claim(db, mapping.id, claimedBy, CLAIM_LIMIT);
    if (groups.length === 0) break;
    onClaim?.(groups.length);
    try {
      const round = await pushRound(db, sf, mapping, groups, { ...context.config.push, feed: context.config.feed.enabled });
      helpers.logger.debug(`push ${mapping.sobject}: ${round.records} records, ${round.sent} sent via ${round.api}`);
      retryAt = round.retryAt ?? retryAt;
      if (round.pausedUntil) return { pausedUntil: round.pausedUntil };
    } catch (error) {
      // Unexpected failure (not a Salesforce per-record error): hand the claims back
      // as changes of unknown outcome, so the next push looks before it re-sends.
      await releaseClaims(db, mapping.id, claimedBy).catch(() => undefined);
      throw error;
    }
  }
  return retryAt ? { retryAt } : {};
}
