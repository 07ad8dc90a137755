/**
 * `sfsync:prune-feed`: settle the change feed's pending entries and delete
 * those settled more than config.feed.retentionHours ago (sfsync.feed_prune).
 * A subscriber that had not acked them fails its next read with an error
 * naming the fix, never a silent gap. Queued hourly beside
 * `sfsync:prune-outbox`, under one job key, so any number of engines prune once;
 * it runs with the feed off too, so turning it off still drains what is there.
 */
import type { SfsyncTask } from '../jobs/context.js';
import { prune } from '../feed/feed.js';

/** Prune the change feed. */
export const pruneFeed: SfsyncTask<'sfsync:prune-feed'> = async (_payload, _helpers, ctx) => {
  const pruned = await prune(ctx.pool, ctx.config.feed.retentionHours);
  if (pruned > 0) ctx.logger.info({ pruned, retentionHours: ctx.config.feed.retentionHours }, 'pruned change feed entries');
};
