/**
 * Turns the org's changes and platform events into channel events:
 * CDC on `/data/<Object>ChangeEvent` and `/data/ChangeEvents`, PushTopic
 * notifications on `/topic/<Name>`, platform events on `/event/<Name>__e`.
 * With `controls.dropEventRate` r, each event is dropped with probability r:
 * never stored, never delivered, and given no replayId.
 */
import type { ChangeEvent, OrgPort, PlatformEventMessage } from '../ports.js';
import { buildCdcData } from './cdc-payload.js';
import { ALL_CHANGE_EVENTS, changeEventChannel, platformEventChannel, pushTopicChannel } from './channel-name.js';
import type { ChannelRegistry } from './channel-registry.js';
import { delayedPublisher, type ChannelPublisher } from './delivery-delay.js';
import { buildPlatformEventData } from './platform-event-payload.js';
import { matchPushTopic, pushTopicData } from './pushtopic-matcher.js';
import type { PushTopicRegistry } from './pushtopic-registry.js';

/** What {@link attachEventSources} needs besides the org. */
export interface EventSourceDeps {
  channels: ChannelRegistry;
  topics: PushTopicRegistry;
  now: () => number;
  /** Uniform [0,1) numbers for the drop decision (default Math.random). */
  random: () => number;
}

/** Listen to the org; returns a function that stops listening. */
export function attachEventSources(org: OrgPort, given: EventSourceDeps): () => void {
  const channels = delayedPublisher(given.channels, () => org.controls.streamDeliveryDelayMs);
  const deps = { ...given, channels };
  const cdc = new CdcSequencer();
  const dropped = (): boolean => deps.random() < org.controls.dropEventRate;
  // A streaming fault must never fail the write that triggered it: listeners swallow errors.
  const offChange = org.onChange((change) => {
    guard(() => publishCdc(org, deps, cdc, change, dropped));
    guard(() => publishPushTopics(org, deps, change, dropped));
  });
  const offEvent = org.onPlatformEvent((message) => guard(() => publishPlatformEvent(org, deps, message, dropped)));
  return () => {
    offChange();
    offEvent();
    channels.cancel();
  };
}

/** The deps the publish functions use: channels behind the delivery delay. */
type PublishDeps = Omit<EventSourceDeps, 'channels'> & { channels: ChannelPublisher };

function guard(publish: () => void): void {
  try {
    publish();
  } catch (error) {
    process.emitWarning(`streaming: could not publish an event: ${(error as Error).message}`);
  }
}

/** Sequence numbers within a transaction and an org-wide commit number. */
class CdcSequencer {
  #transactionKey = '';
  #sequence = 0;
  #commitNumber = 0;

  next(transactionKey: string): { sequenceNumber: number; commitNumber: number } {
    if (transactionKey !== this.#transactionKey) {
      this.#transactionKey = transactionKey;
      this.#sequence = 0;
      this.#commitNumber += 1;
    }
    this.#sequence += 1;
    return { sequenceNumber: this.#sequence, commitNumber: this.#commitNumber };
  }
}

function publishCdc(org: OrgPort, deps: PublishDeps, seq: CdcSequencer, change: ChangeEvent, dropped: () => boolean): void {
  const object = org.schema.getObject(change.object);
  if (object === undefined || !object.cdcEnabled || object.isPlatformEvent) return;
  const stamp = seq.next(change.transactionKey);
  if (dropped()) return;
  const replayId = deps.channels.nextReplayId();
  // One payload shared by both channels, built only if someone reads it (subscriber or replay).
  deps.channels.publishLazy([changeEventChannel(object.name), ALL_CHANGE_EVENTS], replayId, () => buildCdcData(change, object, { replayId, ...stamp }));
}

function publishPushTopics(org: OrgPort, deps: PublishDeps, change: ChangeEvent, dropped: () => boolean): void {
  const topics = deps.topics.list();
  if (topics.length === 0) return;
  for (const topic of topics) {
    for (const recordId of change.recordIds) {
      const notification = matchPushTopic(topic, change, recordId, org.records);
      if (notification === undefined || dropped()) continue;
      const replayId = deps.channels.nextReplayId();
      deps.channels.publish(pushTopicChannel(topic.name), replayId, pushTopicData(notification, topic, replayId, deps.now()));
    }
  }
}

function publishPlatformEvent(org: OrgPort, deps: PublishDeps, message: PlatformEventMessage, dropped: () => boolean): void {
  const object = org.schema.getObject(message.object);
  if (object === undefined || !object.isPlatformEvent || dropped()) return;
  const replayId = deps.channels.nextReplayId();
  const data = buildPlatformEventData(message, object, replayId, deps.now());
  deps.channels.publish(platformEventChannel(object.name), replayId, data);
}
