/**
 * `sfsync:prune-outbox`: delete finished outbox changes (success, merged,
 * ignored) older than config.push.keepDoneHours (sfsync.prune_outbox(),
 * docs/schema.md). Failed changes stay until an operator retries or discards
 * them. Queued hourly by the outbox-listener component under one job key, so
 * any number of engines prune once.
 */
import type { SfsyncTask } from '../jobs/context.js';
import { prune } from '../outbox/outbox.js';

/** Prune the outbox. */
export const pruneOutbox: SfsyncTask<'sfsync:prune-outbox'> = async (_payload, _helpers, ctx) => {
  const pruned = await prune(ctx.pool, ctx.config.push.keepDoneHours);
  if (pruned > 0) ctx.logger.info({ pruned, keepDoneHours: ctx.config.push.keepDoneHours }, 'pruned finished outbox changes');
};
