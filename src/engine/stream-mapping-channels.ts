/**
 * Which channel each streaming mapping listens on, kept in step with
 * sfsync.mappings by the leader: CDC (`/data/<Object>ChangeEvent`) when the
 * object has Change Data Capture — learnt by trying: Salesforce answers
 * `400::The channel you requested to subscribe to doesn't exist` otherwise —
 * else sfsync's own PushTopic; nothing when `streaming = 'off'`.
 * A replayId no longer retained (CometD `400::The replayId {N} you provided was
 * invalid…`, Pub/Sub `…replayid.corrupted`) falls back: subscribe with -1 and queue a poll, which reads from
 * the watermark and so covers whatever the lost events announced.
 */
import { run, sfsync } from '../db/typed-query.js';
import { sql } from 'kysely';
import type { EngineContext } from '../jobs/context.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import { ensurePushTopic } from '../salesforce/stream-pushtopic.js';
import { loadInboundMappings, type InboundMapping } from '../inbound/inbound-mapping.js';
import { scheduleEventPoll } from '../jobs/schedule.js';
import { cdcChannel, pushTopicName } from '../inbound/stream-replay.js';
import type { StreamTransport, SubscribeFailure } from './stream-transport.js';

/** The leader's channel table. */
export class MappingChannels {
  private readonly byChannel = new Map<string, InboundMapping>();
  private readonly byMapping = new Map<string, string>();
  /** Platform Event channels (`/event/X__e`) → the mapping whose records their events name. */
  private readonly events = new Map<string, InboundMapping>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly connectionId: string,
    private readonly sf: SalesforceClient,
    private readonly stream: StreamTransport,
  ) {}

  /** The mapping a channel belongs to. */
  mappingOf(channel: string): string | undefined {
    return this.byChannel.get(channel)?.id;
  }

  /** The mapping a Platform Event channel names records of. */
  eventMappingOf(channel: string): InboundMapping | undefined {
    return this.events.get(channel);
  }

  /** Subscribe new streaming mappings, drop removed ones. */
  async sync(): Promise<void> {
    const usable = (await loadInboundMappings(this.ctx.pool, this.connectionId)).filter((m) => m.state !== 'paused' && !m.problem);
    await this.syncEvents(usable);
    const mappings = usable.filter((m) => m.streaming !== 'off');
    const ids = new Set(mappings.map((m) => m.id));
    for (const [id, channel] of this.byMapping) {
      if (ids.has(id)) continue;
      this.byMapping.delete(id);
      this.byChannel.delete(channel);
      this.stream.unwant(channel);
    }
    for (const m of mappings) {
      if (this.byMapping.has(m.id)) continue;
      try {
        const channel = m.streaming === 'pushtopic' ? await this.pushTopic(m) : cdcChannel(m.sobject);
        await this.want(m, channel);
      } catch (error) {
        // One mapping's failure (e.g. PushTopic not creatable) must not keep the others unsubscribed.
        this.ctx.logger.warn({ err: error, mapping: m.id }, 'stream subscription failed; retrying at the next sync');
      }
    }
  }

  /** Platform Event channels of the mappings that name one (whatever their `streaming`), each resumed from its stored replay id. */
  private async syncEvents(mappings: readonly InboundMapping[]): Promise<void> {
    const wanted = new Map(mappings.filter((m) => m.eventChannel && m.eventField).map((m) => [`/event/${m.eventChannel}`, m]));
    for (const channel of this.events.keys()) {
      if (wanted.has(channel)) continue;
      this.events.delete(channel);
      this.stream.unwant(channel);
    }
    for (const [channel, m] of wanted) {
      const known = this.events.has(channel);
      this.events.set(channel, m);
      if (!known) this.stream.want(channel, await this.storedReplay(channel));
    }
  }

  private async storedReplay(channel: string): Promise<number> {
    const rows = await run(
      this.ctx.pool,
      sfsync
        .selectFrom('stream_state')
        .select(sql<string | null>`replay_id::text`.as('replay_id'))
        .where('connection_id', '=', this.connectionId)
        .where('channel', '=', channel),
    );
    const stored = rows[0]?.replay_id;
    return stored ? Number(stored) : -1;
  }

  /** React to a failed subscribe. */
  async subscribeFailed(channel: string, failure: SubscribeFailure, error: string): Promise<void> {
    const mapping = this.byChannel.get(channel) ?? this.events.get(channel);
    if (!mapping) return;
    this.ctx.logger.info({ channel, error }, 'stream subscribe failed');
    if (failure === 'invalid-replay') {
      await run(
        this.ctx.pool,
        sfsync
          .updateTable('stream_state')
          .set({ replay_id: null, pending_replay_id: null, updated_at: sql<Date>`now()` })
          .where('connection_id', '=', this.connectionId)
          .where('channel', '=', channel),
      );
      this.stream.want(channel, -1);
      await scheduleEventPoll(this.ctx, mapping.id);
      return;
    }
    if (failure === 'no-such-channel' && channel.startsWith('/data/') && mapping.streaming === 'auto') {
      this.byChannel.delete(channel);
      this.stream.unwant(channel);
      await this.want(mapping, await this.pushTopic(mapping));
    }
  }

  private async pushTopic(m: InboundMapping): Promise<string> {
    return ensurePushTopic(
      this.sf,
      pushTopicName(m.sobject),
      m.sobject,
      m.fields.filter((f) => !f.removed).map((f) => f.name),
    );
  }

  private async want(m: InboundMapping, channel: string): Promise<void> {
    const stored = await this.storedReplay(channel);
    this.byChannel.set(channel, m);
    this.byMapping.set(m.id, channel);
    this.stream.want(channel, stored);
  }
}
