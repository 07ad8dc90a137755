/**
 * The channels that have events: one {@link EventLog} per channel, the
 * subscribers of each channel, and the org-wide replayId counter.
 *
 * ReplayIds come from one counter shared by all channels, so they increase per
 * channel (not contiguously), and a CDC event published on both
 * `/data/AccountChangeEvent` and `/data/ChangeEvents` has the same replayId in each.
 */
import type { EmulatorControls } from '../ports.js';
import type { EventMessage } from './bayeux-message.js';
import { retentionClassOf } from './channel-name.js';
import type { LoggedEvent } from './event-log.js';
import { EventLog } from './event-log.js';

/** Something that receives a channel's events (a Bayeux session). */
export interface ChannelSubscriber {
  deliver(message: EventMessage): void;
}

/** A replay request as `ext.replay` gives it: -1 new only, -2 all retained, N after event N. */
export type ReplayFrom = number;

/** Outcome of resolving a replay position. */
export type ReplayResult = { ok: true; events: LoggedEvent[] } | { ok: false };

/** Options of {@link ChannelRegistry}. */
export interface ChannelRegistryOptions {
  /** Cap on retained events per channel, oldest forgotten first (default 100,000). */
  maxEventsPerChannel: number;
  now: () => number;
}

/** A retained event whose `data` is built on first read, then kept. */
class LazyEvent implements LoggedEvent {
  #build: (() => unknown) | undefined;
  #data: unknown;

  constructor(
    readonly replayId: number,
    readonly createdMs: number,
    build: () => unknown,
  ) {
    this.#build = build;
  }

  get data(): unknown {
    if (this.#build !== undefined) {
      this.#data = this.#build();
      this.#build = undefined; // drop the closure (and the change it holds) once built
    }
    return this.#data;
  }
}

/** Per-channel event logs and subscriber sets. */
export class ChannelRegistry {
  readonly #logs = new Map<string, EventLog>();
  readonly #subscribers = new Map<string, Set<ChannelSubscriber>>();
  #lastReplayId = 0;

  constructor(
    private readonly controls: EmulatorControls,
    private readonly options: ChannelRegistryOptions,
  ) {}

  /** The next org-wide replayId. */
  nextReplayId(): number {
    this.#lastReplayId += 1;
    return this.#lastReplayId;
  }

  /** Retain an event on `channel` and hand it to the channel's subscribers. */
  publish(channel: string, replayId: number, data: unknown): void {
    this.publishLazy([channel], replayId, () => data);
  }

  /**
   * Retain one event on each of `channels` (same replayId) and deliver it to
   * their subscribers. `build` runs only when the data is first needed — a
   * subscriber now, or a replay later — so a bulk load nobody listens to
   * retains 100,000s of cheap thunks instead of building every payload.
   */
  publishLazy(channels: readonly string[], replayId: number, build: () => unknown): void {
    const event = new LazyEvent(replayId, this.options.now(), build);
    for (const channel of channels) {
      const log = this.#log(channel);
      log.append(event);
      this.#prune(channel, log);
      const subscribers = this.#subscribers.get(channel);
      if (subscribers === undefined) continue;
      for (const subscriber of subscribers) subscriber.deliver({ channel, data: event.data });
    }
  }

  /** Retained events to deliver for a replay position; `ok:false` for an N that is not retained. */
  replay(channel: string, from: ReplayFrom): ReplayResult {
    const log = this.#log(channel);
    this.#prune(channel, log);
    if (from === -1) return { ok: true, events: [] };
    if (from === -2) return { ok: true, events: log.all() };
    if (!Number.isSafeInteger(from) || from < 0 || !log.has(from)) return { ok: false };
    return { ok: true, events: log.after(from) };
  }

  /** Start delivering `channel`'s new events to `subscriber`. */
  subscribe(channel: string, subscriber: ChannelSubscriber): void {
    let set = this.#subscribers.get(channel);
    if (set === undefined) {
      set = new Set();
      this.#subscribers.set(channel, set);
    }
    set.add(subscriber);
  }

  /** Stop delivering `channel` to `subscriber`. */
  unsubscribe(channel: string, subscriber: ChannelSubscriber): void {
    const set = this.#subscribers.get(channel);
    set?.delete(subscriber);
    if (set?.size === 0) this.#subscribers.delete(channel);
  }

  /** Number of subscribers of `channel` (diagnostics and tests). */
  subscriberCount(channel: string): number {
    return this.#subscribers.get(channel)?.size ?? 0;
  }

  #log(channel: string): EventLog {
    let log = this.#logs.get(channel);
    if (log === undefined) {
      log = new EventLog();
      this.#logs.set(channel, log);
    }
    return log;
  }

  #prune(channel: string, log: EventLog): void {
    const retention = retentionClassOf(channel) === 'pushTopic' ? this.controls.pushTopicRetentionMs : this.controls.cdcRetentionMs;
    log.prune(this.options.now(), retention, this.options.maxEventsPerChannel);
  }
}
