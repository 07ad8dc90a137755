/**
 * How the read path queues its jobs.
 *
 * Scheduling is self-rescheduling jobs, not a timer loop: each primary poll
 * queues the next one at `poll_interval` under the job key `sfsync:poll:<id>`
 * (replace mode: one waiting interval poll per mapping), so the schedule lives
 * in Postgres, survives restarts and is shared by every `sfsync start`
 * process. The poll-scheduler component only re-seeds a chain that broke (a
 * mapping created while no engine ran, a job deleted by hand).
 *
 * Every poll of one mapping runs in the named queue `sfsync:poll:<id>`:
 * graphile-worker runs a named queue's jobs one at a time, so windows of one
 * mapping never overlap and the watermark moves in order. Reloads are NOT in
 * that queue (their job key keeps one per mapping): a reload's Bulk download
 * takes minutes and polls must go on meanwhile (load-table.ts).
 * Event-triggered polls use a second key (`sfsync:poll-event:<id>`) so that
 * debouncing an event never postpones (or is postponed by) the interval poll.
 *
 * Drift re-polls (one job per mapping, tasks/drift.ts) run in
 * `sfsync:drift:<connection>:<slot>` with `config.poll.secondaryConcurrency`
 * slots: at most that many run at once per connection, each holding at most
 * one pool connection at a time.
 */
import type { EngineContext } from './context.js';
import { jobKeys } from './payloads.js';

/** The named queue of a mapping's polls and reloads. */
export const pollQueue = (mappingId: string): string => `sfsync:poll:${mappingId}`;
/** Job key of a mapping's event-triggered poll. */
export const eventPollKey = (mappingId: string): string => `sfsync:poll-event:${mappingId}`;

/** Queue the next interval poll of a mapping at `runAt`. */
export async function scheduleIntervalPoll(ctx: EngineContext, mappingId: string, runAt: Date, mode: 'replace' | 'preserve_run_at' = 'replace'): Promise<void> {
  await ctx.addJob(
    'sfsync:poll',
    { mappingId, reason: 'interval' },
    { jobKey: jobKeys.poll(mappingId), jobKeyMode: mode, runAt, queueName: pollQueue(mappingId), maxAttempts: 25 },
  );
}

/**
 * Queue an event poll to run now. The subscriber has already debounced
 * (config.poll.eventDebounceMs, in memory); a future `runAt` would be found
 * only by the worker's 2 s polling instead of its LISTEN, costing seconds.
 */
export async function scheduleEventPoll(ctx: EngineContext, mappingId: string): Promise<void> {
  await ctx.addJob(
    'sfsync:poll',
    { mappingId, reason: 'event' },
    { jobKey: eventPollKey(mappingId), jobKeyMode: 'replace', queueName: pollQueue(mappingId), maxAttempts: 5 },
  );
}

/** Queue the fetch of records a Platform Event named, behind the mapping's other inbound jobs (its poll queue: one at a time, in order). */
export async function scheduleEventFetch(ctx: EngineContext, mappingId: string, ids: string[], channel: string, replayId: number | undefined): Promise<void> {
  await ctx.addJob(
    'sfsync:fetch-records',
    { mappingId, ids, channel, ...(replayId === undefined ? {} : { replayId: String(replayId) }) },
    { queueName: pollQueue(mappingId), maxAttempts: 25 },
  );
}

/** Queue a reload (or a backfill of `fields`). */
export async function scheduleReload(ctx: EngineContext, mappingId: string, fields?: string[]): Promise<void> {
  await ctx.addJob('sfsync:reload', fields ? { mappingId, fields } : { mappingId }, { jobKey: jobKeys.reload(mappingId), maxAttempts: 10 });
}

/**
 * Queue the mapping's drift job at `runAt` (one per mapping, job key
 * `sfsync:drift:<mapping>`; `preserve_run_at`: an earlier waiting job is kept,
 * so each new primary window joins it instead of adding a re-poll).
 * `windowId` is any primary window of the mapping (tasks/drift.ts).
 */
export async function scheduleDrift(ctx: EngineContext, connectionId: string, mappingId: string, windowId: string, runAt: Date): Promise<void> {
  await ctx.addJob(
    'sfsync:drift',
    { windowId },
    { jobKey: jobKeys.drift(mappingId), jobKeyMode: 'preserve_run_at', runAt, queueName: driftQueue(ctx, connectionId, mappingId), maxAttempts: 10 },
  );
}

/** The named queue of a mapping's drift job: one of `config.poll.secondaryConcurrency` slots per connection. */
export function driftQueue(ctx: EngineContext, connectionId: string, mappingId: string): string {
  return `sfsync:drift:${connectionId}:${Number(mappingId) % ctx.config.poll.secondaryConcurrency}`;
}
