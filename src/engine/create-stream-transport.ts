/**
 * Pick the stream transport by `salesforce.streamingTransport`: CometD, or
 * the Pub/Sub API, with which PushTopic channels (`/topic/…`, which Pub/Sub
 * does not carry) still go through a CometD session opened on first need.
 */
import { StreamCometd } from './stream-cometd.js';
import { StreamPubSub } from './stream-pubsub.js';
import type { StreamTransport, StreamTransportKind, StreamTransportOptions } from './stream-transport.js';

/** The transport for `kind`. */
export function createStreamTransport(kind: StreamTransportKind, options: StreamTransportOptions): StreamTransport {
  if (kind === 'cometd') return new StreamCometd(options);
  return new PubSubWithPushTopics(new StreamPubSub(options), () => new StreamCometd(options));
}

/** Pub/Sub for CDC and platform events; a CometD session, opened on first need, for PushTopic channels. */
class PubSubWithPushTopics implements StreamTransport {
  private cometd: StreamCometd | undefined;

  constructor(
    private readonly pubsub: StreamPubSub,
    private readonly openCometd: () => StreamCometd,
  ) {}

  start(): Promise<void> {
    return this.pubsub.start();
  }

  want(channel: string, replayFrom: number): void {
    if (!channel.startsWith('/topic/')) return this.pubsub.want(channel, replayFrom);
    if (this.cometd === undefined) {
      const cometd = this.openCometd();
      this.cometd = cometd;
      cometd.start().catch((error: unknown) => cometd.options.log('PushTopic streaming (CometD) could not connect; the periodic sync retries', error));
    }
    this.cometd.want(channel, replayFrom);
  }

  unwant(channel: string): void {
    if (channel.startsWith('/topic/')) this.cometd?.unwant(channel);
    else this.pubsub.unwant(channel);
  }

  async stop(): Promise<void> {
    await Promise.all([this.pubsub.stop(), this.cometd?.stop()]);
  }
}
