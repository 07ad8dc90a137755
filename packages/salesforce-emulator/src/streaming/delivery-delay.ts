/**
 * CometD delivery delay (`controls.streamDeliveryDelayMs`): events take their
 * replayId at commit, in commit order, and reach the channel logs and
 * subscribers that many ms later. A fixed delay keeps them in order (Node
 * runs timers of one duration first in, first out); changing the delay while
 * events are in flight may reorder those few.
 */
import type { ChannelRegistry } from './channel-registry.js';

/** The part of the channel registry the event sources publish through. */
export type ChannelPublisher = Pick<ChannelRegistry, 'nextReplayId' | 'publish' | 'publishLazy'>;

/** A publisher that forwards to `channels` after `delayMs()` (at once when 0); `cancel()` drops what is in flight. */
export function delayedPublisher(channels: ChannelPublisher, delayMs: () => number): ChannelPublisher & { cancel(): void } {
  const timers = new Set<NodeJS.Timeout>();
  const later = (publish: () => void): void => {
    const ms = delayMs();
    if (ms <= 0) return publish();
    const timer = setTimeout(() => {
      timers.delete(timer);
      // As for an undelayed event, a streaming fault never surfaces as an exception.
      try {
        publish();
      } catch (error) {
        process.emitWarning(`streaming: could not publish a delayed event: ${(error as Error).message}`);
      }
    }, ms);
    timers.add(timer);
  };
  return {
    nextReplayId: () => channels.nextReplayId(),
    publish: (channel, replayId, data) => later(() => channels.publish(channel, replayId, data)),
    publishLazy: (names, replayId, build) => later(() => channels.publishLazy(names, replayId, build)),
    cancel() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
