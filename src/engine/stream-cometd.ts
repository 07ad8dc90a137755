/**
 * A CometD client for Salesforce Streaming (docs/salesforce-wire.md, "Streaming API (CometD)"): the
 * official `cometd` + `cometd-nodejs-client`, long-polling only, a Bearer
 * header, our own replay extension, and every wanted channel re-subscribed in
 * the `/meta/handshake` listener (a re-handshake — e.g. after
 * `403::Unknown client` — clears subscriptions). An expired token (handshake
 * denied with 401, or connect `401::…`) asks `refreshToken` for a new one,
 * reconfigures the headers and re-handshakes.
 */
import { adapt } from 'cometd-nodejs-client';
import { CometD, type Message } from 'cometd';
import type { StreamEvent, StreamTransport, StreamTransportOptions, SubscribeFailure } from './stream-transport.js';

let adapted = false;

/** Failure texts we act on (§4.3). */
export const INVALID_REPLAY = /replayId .*(was invalid|wasn't found)|replay id .*invalid/i;
export const NO_SUCH_CHANNEL = /channel you requested to subscribe to doesn't exist/i;

/** A Bayeux subscribe error → what the subscriber does about it. */
export function classifyCometdFailure(error: string): SubscribeFailure {
  if (INVALID_REPLAY.test(error)) return 'invalid-replay';
  return NO_SUCH_CHANNEL.test(error) ? 'no-such-channel' : 'other';
}

/** A delivered Bayeux message → the transport-neutral event. */
export function cometdEvent(channel: string, message: Message): StreamEvent {
  const data = message.data as
    | { event?: { replayId?: unknown }; payload?: { ChangeEventHeader?: { changeOrigin?: unknown; changedFields?: unknown } } & Record<string, unknown> }
    | undefined;
  const replayId = data?.event?.replayId;
  const header = data?.payload?.ChangeEventHeader;
  return {
    channel,
    replayId: typeof replayId === 'number' ? replayId : undefined,
    changeOrigin: typeof header?.changeOrigin === 'string' ? header.changeOrigin : undefined,
    changedFields: Array.isArray(header?.changedFields) ? (header.changedFields as string[]) : [],
    payload: data?.payload,
  };
}

/** One Bayeux session with the wanted channels and their replay positions. */
export class StreamCometd implements StreamTransport {
  readonly cometd: CometD;
  /** Channel → replay position to subscribe from (-1 new only, -2 all retained, N after N). */
  readonly replay = new Map<string, number>();
  private readonly wanted = new Set<string>();
  private readonly subscribed = new Set<string>();
  private replayEnabled = false;
  private refreshing = false;
  private stopped = false;

  constructor(readonly options: StreamTransportOptions) {
    if (!adapted) {
      adapt(); // defines global window/XMLHttpRequest/WebSocket: must run before new CometD()
      adapted = true;
    }
    this.cometd = new CometD();
    this.cometd.unregisterTransport('websocket'); // Salesforce is long-polling only
    this.configure(options.token);
    this.cometd.registerExtension('sfsyncReplay', { incoming: (m) => this.incoming(m), outgoing: (m) => this.outgoing(m) });
    this.cometd.addListener('/meta/handshake', (m) => this.onHandshake(m));
    this.cometd.addListener('/meta/connect', (m) => this.onConnect(m));
  }

  /** Point the client at a token (before a re-handshake). */
  configure(token: string): void {
    this.cometd.configure({
      url: `${this.options.instanceUrl}/cometd/${this.options.apiVersion}`,
      requestHeaders: { Authorization: `Bearer ${token}` },
      appendMessageTypeToURL: false,
      maxNetworkDelay: 15_000,
    });
  }

  /** Handshake; resolves with the reply. */
  handshake(): Promise<Message> {
    return new Promise((resolve) => this.cometd.handshake(resolve));
  }

  /** Handshake, or disconnect and reject with the server's reason. */
  async start(): Promise<void> {
    const reply = await this.handshake();
    if (reply.successful === true) return;
    await this.stop();
    throw new Error(`Streaming handshake failed: ${String(reply.error)}`);
  }

  /** Want `channel` from `replayFrom`; subscribes now when connected, else at the next handshake. */
  want(channel: string, replayFrom: number): void {
    this.wanted.add(channel);
    this.replay.set(channel, replayFrom);
    if (!this.cometd.isDisconnected() && this.replayEnabledOrKnown()) this.subscribe(channel);
  }

  /** Stop wanting `channel` (its subscription ends at the next handshake at the latest). */
  unwant(channel: string): void {
    this.wanted.delete(channel);
  }

  /** Disconnect, waiting at most 2 s (a dead server must not hang shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.cometd.isDisconnected()) return;
    await Promise.race([new Promise<void>((resolve) => this.cometd.disconnect(() => resolve())), new Promise<void>((resolve) => setTimeout(resolve, 2000))]);
  }

  private replayEnabledOrKnown(): boolean {
    return this.cometd.getClientId() !== undefined && this.cometd.getClientId() !== null;
  }

  private subscribe(channel: string): void {
    if (this.subscribed.has(channel)) return;
    this.subscribed.add(channel);
    this.cometd.subscribe(
      channel,
      (m) => this.options.onEvent(cometdEvent(channel, m)),
      (reply) => {
        if (reply.successful === true) {
          this.options.onSubscribed?.(channel);
          return;
        }
        this.subscribed.delete(channel);
        const error = String(reply.error ?? 'subscribe failed');
        this.options.onSubscribeFailed(channel, classifyCometdFailure(error), error);
      },
    );
  }

  private onHandshake(m: Message): void {
    if (m.successful === true) {
      this.subscribed.clear();
      for (const channel of this.wanted) this.subscribe(channel);
      return;
    }
    const reason = (m.ext as { sfdc?: { failureReason?: string } } | undefined)?.sfdc?.failureReason ?? String(m.error ?? '');
    if (/401/.test(reason) || /401/.test(String(m.error ?? ''))) void this.refresh();
  }

  private onConnect(m: Message): void {
    if (m.successful === true) return;
    if (/^401::/.test(String(m.error ?? ''))) void this.refresh();
  }

  /** New token → reconfigure → re-handshake (at most one at a time). */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.stopped) return;
    this.refreshing = true;
    try {
      const token = await this.options.refreshToken();
      this.configure(token);
      this.options.log('stream token refreshed; re-handshaking');
      if (!this.cometd.isDisconnected()) await new Promise<void>((resolve) => this.cometd.disconnect(() => resolve()));
      if (!this.stopped) this.cometd.handshake();
    } catch (error) {
      this.options.log('stream token refresh failed', error);
    } finally {
      this.refreshing = false;
    }
  }

  private incoming(m: Message): Message {
    if (m.channel === '/meta/handshake') this.replayEnabled = (m.ext as { replay?: unknown } | undefined)?.replay === true;
    const replayId = (m.data as { event?: { replayId?: unknown } } | undefined)?.event?.replayId;
    if (typeof replayId === 'number' && this.wanted.has(m.channel)) this.replay.set(m.channel, replayId);
    return m; // never null: that drops the message
  }

  private outgoing(m: Message): Message {
    if (m.channel === '/meta/subscribe' && this.replayEnabled) {
      const channel = String(m.subscription);
      m.ext = { ...(m.ext ?? {}), replay: { [channel]: this.replay.get(channel) ?? -1 } };
    }
    return m;
  }
}
