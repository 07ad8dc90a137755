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

let adapted = false;

/** Options of {@link StreamCometd}. */
export interface StreamCometdOptions {
  instanceUrl: string;
  apiVersion: string;
  token: string;
  /** A fresh access token (SalesforceClient.session({ refresh: true })). */
  refreshToken(): Promise<string>;
  /** A delivered event (data channel). */
  onEvent(channel: string, message: Message): void;
  /** A subscribe failed (after the client handled what it could). */
  onSubscribeFailed(channel: string, error: string): void;
  /** A subscribe succeeded. */
  onSubscribed?(channel: string): void;
  log(message: string, detail?: unknown): void;
}

/** Failure texts we act on (§4.3). */
export const INVALID_REPLAY = /replayId .*(was invalid|wasn't found)|replay id .*invalid/i;
export const NO_SUCH_CHANNEL = /channel you requested to subscribe to doesn't exist/i;

/** One Bayeux session with the wanted channels and their replay positions. */
export class StreamCometd {
  readonly cometd: CometD;
  /** Channel → replay position to subscribe from (-1 new only, -2 all retained, N after N). */
  readonly replay = new Map<string, number>();
  private readonly wanted = new Set<string>();
  private readonly subscribed = new Set<string>();
  private replayEnabled = false;
  private refreshing = false;
  private stopped = false;

  constructor(private readonly options: StreamCometdOptions) {
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
      (m) => this.options.onEvent(channel, m),
      (reply) => {
        if (reply.successful === true) {
          this.options.onSubscribed?.(channel);
          return;
        }
        this.subscribed.delete(channel);
        this.options.onSubscribeFailed(channel, String(reply.error ?? 'subscribe failed'));
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
