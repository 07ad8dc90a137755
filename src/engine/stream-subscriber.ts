/**
 * The stream subscriber component: per Salesforce connection, one leader
 * across all processes (stream-leader.ts) subscribes every streaming mapping
 * (stream-mapping-channels.ts) and turns events into debounced polls. The
 * data always comes from the poll; an event only says "look now".
 *
 * ReplayIds: each received id becomes the channel's `pending_replay_id`
 * before the poll is queued; the poll promotes it to `replay_id` once it has
 * committed (inbound/stream-replay.ts). A restart subscribes from
 * `replay_id`, so events after it are replayed and nothing is skipped.
 */
import { DEFAULT_PUBSUB_URL } from '../config/config-schema.js';
import { run, sfsync } from '../db/typed-query.js';
import { sql } from 'kysely';
import type { EngineComponent, EngineContext } from '../jobs/context.js';
import { scheduleEventFetch, scheduleEventPoll } from '../jobs/schedule.js';
import { recordPendingReplay } from '../inbound/stream-replay.js';
import { runAsLeader } from './stream-leader.js';
import { countLiveEngines, StreamShare } from './stream-share.js';
import { MappingChannels } from './stream-mapping-channels.js';
import { createStreamTransport } from './create-stream-transport.js';
import type { StreamEvent } from './stream-transport.js';

/** How often non-leaders try to take over and mappings are re-read, ms. */
const LEADER_RETRY_MS = 1000;
/** How often the streaming connections and the fair share (stream-share.ts) are re-read, ms. */
const REFRESH_MS = 3000;

/** True when a CDC event was caused by sfsync's own API calls (`changeOrigin` …`;client=<ours>`). */
export function isEcho(event: StreamEvent, client: string): boolean {
  const origin = event.changeOrigin;
  return typeof origin === 'string' && origin.split(';').some((part) => part.trim() === `client=${client}`);
}

/** The record Ids a Platform Event carries in `field`: one, or several separated by commas, semicolons or white space. */
export function eventRecordIds(event: StreamEvent, field: string): string[] {
  const value = event.payload?.[field];
  if (typeof value !== 'string') return [];
  return value.split(/[\s,;]+/).filter((id) => id !== '');
}

/** Lead one connection: connect (CometD or Pub/Sub, salesforce.streamingTransport), subscribe, forward events. */
async function leadConnection(ctx: EngineContext, connectionId: string): Promise<() => Promise<void>> {
  const sf = await ctx.salesforce(connectionId);
  const session = await sf.session();
  const pendingReplay = new Map<string, number>();
  const pendingPolls = new Set<string>();
  const pendingFetches: Array<{ mappingId: string; ids: string[]; channel: string; replayId: number | undefined }> = [];
  let flushTimer: NodeJS.Timeout | undefined;
  const log = (message: string, detail?: unknown) => ctx.logger.info({ connectionId, detail }, message);
  const flush = async () => {
    flushTimer = undefined;
    const replays = [...pendingReplay];
    const polls = [...pendingPolls];
    const fetches = pendingFetches.splice(0);
    pendingReplay.clear();
    pendingPolls.clear();
    try {
      for (const [channel, replayId] of replays) await recordPendingReplay(ctx.pool, connectionId, channel, replayId);
      for (const mappingId of polls) await scheduleEventPoll(ctx, mappingId);
      for (const f of fetches) await scheduleEventFetch(ctx, f.mappingId, f.ids, f.channel, f.replayId);
    } catch (error) {
      ctx.logger.error({ err: error, connectionId }, 'queueing event polls failed; the interval poll covers the change');
    }
  };
  // Assigned once below, but read by the stream's callbacks, which may run before that line: not a const.
  // eslint-disable-next-line prefer-const
  let channels: MappingChannels | undefined;
  const { salesforce } = ctx.config;
  const stream = createStreamTransport(salesforce.streamingTransport ?? 'cometd', {
    instanceUrl: session.instanceUrl,
    apiVersion: sf.apiVersion,
    token: session.accessToken,
    ...(session.orgId ? { orgId: session.orgId } : {}),
    pubsubUrl: salesforce.pubsubUrl ?? DEFAULT_PUBSUB_URL,
    refreshToken: async () => (await sf.session({ refresh: true })).accessToken,
    onEvent: (event) => {
      const { channel, replayId } = event;
      const mappingId = channels?.mappingOf(channel);
      const eventMapping = channels?.eventMappingOf(channel);
      if (eventMapping?.eventField) {
        // A Platform Event naming records: fetch those (the poll's path), in event order.
        if (typeof replayId === 'number') pendingReplay.set(channel, Math.max(replayId, pendingReplay.get(channel) ?? replayId));
        pendingFetches.push({ mappingId: eventMapping.id, ids: eventRecordIds(event, eventMapping.eventField), channel, replayId });
        flushTimer ??= setTimeout(() => void flush(), ctx.config.poll.eventDebounceMs);
        return;
      }
      ctx.logger.debug({ channel, replayId, mappingId, changedFields: event.changedFields }, 'stream event');
      if (mappingId === undefined) return;
      if (replayId !== undefined) pendingReplay.set(channel, Math.max(replayId, pendingReplay.get(channel) ?? replayId));
      // sfsync's own writes come back through the interval poll as no-ops; no need to wake it.
      if (!isEcho(event, salesforce.callOptionsClient)) pendingPolls.add(mappingId);
      flushTimer ??= setTimeout(() => void flush(), ctx.config.poll.eventDebounceMs);
    },
    onSubscribeFailed: (channel, failure, error) =>
      void channels
        ?.subscribeFailed(channel, failure, error)
        .catch((e: unknown) => ctx.logger.warn({ err: e, channel }, 'handling a failed subscribe failed; the periodic sync retries')),
    // The row says "subscribed" to operators (and tests); replay_id is untouched.
    onSubscribed: (channel) =>
      void run(
        ctx.pool,
        sfsync
          .insertInto('stream_state')
          .values({ connection_id: connectionId, channel })
          .onConflict((oc) => oc.columns(['connection_id', 'channel']).doUpdateSet({ updated_at: sql<Date>`now()` })),
      ).catch(() => undefined),
    log,
  });
  channels = new MappingChannels(ctx, connectionId, sf, stream);
  await stream.start();
  // A mapping that cannot subscribe yet (e.g. its PushTopic cannot be created) is retried by the periodic sync.
  await channels.sync().catch((error: unknown) => ctx.logger.warn({ err: error, connectionId }, 'stream subscriptions incomplete; retrying'));
  const timer = setInterval(
    () => void channels?.sync().catch((error: unknown) => ctx.logger.warn({ err: error }, 'stream mapping refresh failed')),
    LEADER_RETRY_MS * 2,
  );
  return async () => {
    clearInterval(timer);
    if (flushTimer) clearTimeout(flushTimer);
    await flush();
    await stream.stop();
  };
}

/** The component: a leader loop per active connection (new connections are picked up every few seconds). */
export const streamSubscriber: EngineComponent = {
  name: 'stream-subscriber',
  async start(ctx) {
    const loops = new Map<string, () => Promise<void>>();
    const share = new StreamShare();
    const refresh = async () => {
      const rows = await run(
        ctx.pool,
        sfsync
          .selectFrom('connections as c')
          .innerJoin('mappings as m', 'm.connection_id', 'c.id')
          .select('c.id')
          .distinct()
          .where('c.state', '=', 'active')
          // Streaming mappings, and those a Platform Event triggers (whatever their streaming).
          .where((eb) => eb.or([eb('m.streaming', '<>', 'off'), eb('m.event_channel', 'is not', null)])),
      );
      share.update(rows.length, await countLiveEngines(ctx.pool));
      for (const { id } of rows) {
        if (loops.has(id)) continue;
        loops.set(
          id,
          runAsLeader(
            ctx.pool,
            id,
            { lead: () => leadConnection(ctx, id) },
            { retryMs: LEADER_RETRY_MS, log: (m, d) => ctx.logger.info({ connectionId: id, detail: d }, m), share },
          ),
        );
      }
    };
    await refresh();
    const timer = setInterval(() => void refresh().catch((error: unknown) => ctx.logger.warn({ err: error }, 'stream connection refresh failed')), REFRESH_MS);
    return {
      async stop() {
        clearInterval(timer);
        await Promise.all([...loops.values()].map((stop) => stop()));
      },
    };
  },
};
