/**
 * The one payload type map shared by every `addJob` and the task that consumes it.
 *
 * Terminology (graphile-worker's):
 * - job: one row in graphile_worker's queue, run once by some worker;
 * - task: the function that runs a job, named `sfsync:<name>`;
 * - job key: at most one waiting job per key — how sfsync debounces
 *   (`push:<mappingId>` coalesces a burst of NOTIFYs into one push).
 */
export interface TaskPayloads {
  /** Send a mapping's pending outbox changes to Salesforce. */
  'sfsync:push': { mappingId: string };
  /** Poll a mapping's next primary window (interval, streaming event, or on demand). */
  'sfsync:poll': { mappingId: string; reason?: 'interval' | 'event' | 'manual' };
  /**
   * Fetch these records by Id and apply them as a poll does (a Platform Event named them);
   * then promote the event's replay id on `channel`. Queued in the mapping's poll queue, so in event order.
   */
  'sfsync:fetch-records': { mappingId: string; ids: string[]; channel?: string; replayId?: string };
  /** Re-poll a past primary window to repair drift. `retry`: failed runs before this one (inbound/retry-later.ts). */
  'sfsync:drift': { windowId: string; retry?: number };
  /** Compare Id + SystemModstamp of every record and fix missing, extra and stale rows. */
  'sfsync:reconcile': { mappingId: string; retry?: number };
  /** Initial load or reload through Bulk API 2.0; `fields` backfills only newly added fields. */
  'sfsync:reload': { mappingId: string; fields?: string[]; retry?: number };
  /** Delete finished outbox changes older than config.push.keepDoneHours. */
  'sfsync:prune-outbox': Record<string, never>;
  /** Settle the change feed and delete its entries older than config.feed.retentionHours. */
  'sfsync:prune-feed': Record<string, never>;
}

/** A task identifier. */
export type TaskName = keyof TaskPayloads;

/** Job key helpers: one waiting job per key. */
export const jobKeys = {
  push: (mappingId: string) => `sfsync:push:${mappingId}`,
  poll: (mappingId: string) => `sfsync:poll:${mappingId}`,
  reconcile: (mappingId: string) => `sfsync:reconcile:${mappingId}`,
  reload: (mappingId: string) => `sfsync:reload:${mappingId}`,
  drift: (mappingId: string) => `sfsync:drift:${mappingId}`,
  pruneOutbox: 'sfsync:prune-outbox',
  pruneFeed: 'sfsync:prune-feed',
} as const;
