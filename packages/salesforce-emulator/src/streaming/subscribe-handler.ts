/**
 * `/meta/subscribe`: check the channel exists, resolve the replay position from
 * `ext.replay` (docs/wire-notes.md, Streaming, replay), queue the replayed
 * events, then start delivering new ones.
 */
import type { SchemaLookup } from '../ports.js';
import type { IncomingMessage, OutgoingMessage } from './bayeux-message.js';
import { BayeuxErrors, errorReply, replyTo } from './bayeux-message.js';
import type { BayeuxSession } from './bayeux-session.js';
import { parseChannel } from './channel-name.js';
import type { ChannelRegistry } from './channel-registry.js';
import type { PushTopicRegistry } from './pushtopic-registry.js';

/** What subscribing needs. */
export interface SubscribeDeps {
  schema: SchemaLookup;
  channels: ChannelRegistry;
  topics: PushTopicRegistry;
}

/** Handle one `/meta/subscribe` of a known, authenticated client. */
export function handleSubscribe(message: IncomingMessage, session: BayeuxSession, deps: SubscribeDeps): OutgoingMessage {
  const subscription = message['subscription'];
  const base = { clientId: session.clientId, subscription };
  if (typeof subscription !== 'string' || subscription.length === 0) {
    return errorReply(message, BayeuxErrors.channelMissing(String(subscription ?? '')), base);
  }
  if (!subscription.startsWith('/')) return errorReply(message, BayeuxErrors.leadingSlash, base);
  if (!channelExists(subscription, deps)) {
    return errorReply(message, BayeuxErrors.channelMissing(subscription), base);
  }
  const from = replayPosition(message, subscription);
  if (typeof from === 'string') return errorReply(message, from, base);
  const replay = deps.channels.replay(subscription, from);
  if (!replay.ok) return errorReply(message, BayeuxErrors.invalidReplayId(from), base);
  for (const event of replay.events) session.deliver({ channel: subscription, data: event.data });
  session.subscriptions.add(subscription);
  deps.channels.subscribe(subscription, session);
  return replyTo(message, { ...base, successful: true });
}

/** Handle one `/meta/unsubscribe`; unsubscribing from a channel never subscribed still succeeds. */
export function handleUnsubscribe(message: IncomingMessage, session: BayeuxSession, channels: ChannelRegistry): OutgoingMessage {
  const subscription = message['subscription'];
  if (typeof subscription === 'string') {
    session.subscriptions.delete(subscription);
    channels.unsubscribe(subscription, session);
  }
  return replyTo(message, { clientId: session.clientId, subscription, successful: true });
}

function channelExists(channel: string, deps: SubscribeDeps): boolean {
  const target = parseChannel(channel, deps.schema);
  if (target === undefined) return false;
  return target.kind !== 'topic' || deps.topics.find(target.name) !== undefined;
}

/**
 * The replay position: -1 without `ext.replay`; otherwise the map's entry for
 * exactly this channel. Returns an error string when the map lacks the channel
 * or the value is not an integer.
 */
function replayPosition(message: IncomingMessage, channel: string): number | string {
  const ext = message['ext'];
  const map = isObject(ext) ? ext['replay'] : undefined;
  if (map === undefined || map === null) return -1;
  if (!isObject(map)) return BayeuxErrors.invalidReplayId(map);
  if (!Object.hasOwn(map, channel)) return BayeuxErrors.replayMapMismatch(channel, map);
  const value = map[channel];
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : BayeuxErrors.invalidReplayId(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
