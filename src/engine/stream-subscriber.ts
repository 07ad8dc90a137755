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
import { run, sfsync } from '../db/typed-query.js';
import { sql } from 'kysely';
import type { Message } from 'cometd';
import type { EngineComponent, EngineContext } from '../jobs/context.js';
import { scheduleEventPoll } from '../jobs/schedule.js';
import { recordPendingReplay } from '../inbound/stream-replay.js';
import { runAsLeader } from './stream-leader.js';
import { countLiveEngines, StreamShare } from './stream-share.js';
import { StreamCometd } from './stream-cometd.js';
import { MappingChannels } from './stream-mapping-channels.js';

/** How often non-leaders try to take over and mappings are re-read, ms. */
const LEADER_RETRY_MS = 1000;
/** How often the streaming connections and the fair share (stream-share.ts) are re-read, ms. */
const REFRESH_MS = 3000;

/** True when a CDC event was caused by sfsync's own API calls (`changeOrigin` …`;client=<ours>`). */
export function isEcho(message: Message, client: string): boolean {
  const origin = (message.data as { payload?: { ChangeEventHeader?: { changeOrigin?: string } } } | undefined)?.payload?.ChangeEventHeader?.changeOrigin;
  return typeof origin === 'string' && origin.split(';').some((part) => part.trim() === `client=${client}`);
}

/** Lead one connection: handshake, subscribe, forward events. */
async function leadConnection(ctx: EngineContext, connectionId: string): Promise<() => Promise<void>> {
  const sf = await ctx.salesforce(connectionId);
  const session = await sf.session();
  const pendingReplay = new Map<string, number>();
  const pendingPolls = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  const log = (message: string, detail?: unknown) => ctx.logger.info({ connectionId, detail }, message);
  const flush = async () => {
    flushTimer = undefined;
    const replays = [...pendingReplay];
    const polls = [...pendingPolls];
    pendingReplay.clear();
    pendingPolls.clear();
    try {
      for (const [channel, replayId] of replays) await recordPendingReplay(ctx.pool, connectionId, channel, replayId);
      for (const mappingId of polls) await scheduleEventPoll(ctx, mappingId);
    } catch (error) {
      ctx.logger.error({ err: error, connectionId }, 'queueing event polls failed; the interval poll covers the change');
    }
  };
  // Assigned once below, but read by the stream's callbacks, which may run before that line: not a const.
  // eslint-disable-next-line prefer-const
  let channels: MappingChannels | undefined;
  const stream = new StreamCometd({
    instanceUrl: session.instanceUrl,
    apiVersion: sf.apiVersion,
    token: session.accessToken,
    refreshToken: async () => (await sf.session({ refresh: true })).accessToken,
    onEvent: (channel, message) => {
      const mappingId = channels?.mappingOf(channel);
      const replayId = (message.data as { event?: { replayId?: number } } | undefined)?.event?.replayId;
      ctx.logger.debug({ channel, replayId, mappingId }, 'stream event');
      if (mappingId === undefined) return;
      if (typeof replayId === 'number') pendingReplay.set(channel, Math.max(replayId, pendingReplay.get(channel) ?? replayId));
      // sfsync's own writes come back through the interval poll as no-ops; no need to wake it.
      if (!isEcho(message, ctx.config.salesforce.callOptionsClient)) pendingPolls.add(mappingId);
      flushTimer ??= setTimeout(() => void flush(), ctx.config.poll.eventDebounceMs);
    },
    onSubscribeFailed: (channel, error) =>
      void channels
        ?.subscribeFailed(channel, error)
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
  const reply = await stream.handshake();
  if (reply.successful !== true) {
    await stream.stop();
    throw new Error(`Streaming handshake failed: ${String(reply.error)}`);
  }
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
          .where('m.streaming', '<>', 'off'),
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
