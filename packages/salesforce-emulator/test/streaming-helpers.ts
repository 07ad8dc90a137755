/**
 * Test helpers for the Streaming API: a real `cometd` + `cometd-nodejs-client`
 * client with a Salesforce-style replay extension, and `waitFor`.
 */
import { adapt } from 'cometd-nodejs-client';
import { CometD } from 'cometd';
import type { Message } from 'cometd';
import { startEmulator } from '../src/index.js';
import type { RunningEmulator, StreamingApi, StreamingPartOptions } from '../src/index.js';

let adapted = false;

/** Wait until `predicate` holds (polled every 10 ms), or fail after `timeoutMs` naming `what`. */
export async function waitFor<T>(predicate: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Options of {@link StreamingClient}. */
export interface StreamingClientOptions {
  /** Instance URL, e.g. `http://127.0.0.1:1234`. */
  url: string;
  token: string;
  apiVersion?: string;
}

/**
 * A cometd client as sfsync would use one: long-polling only, Bearer header,
 * replay extension (`ext.replay` on subscribe once the handshake said
 * `replay:true`), and re-subscription after every re-handshake.
 */
export class StreamingClient {
  readonly cometd: CometD;
  /** Delivered messages by channel. */
  readonly events = new Map<string, Message[]>();
  /** Every `/meta/*` reply seen, in order. */
  readonly meta: Message[] = [];
  /** Replay position per channel sent on the next subscribe (default -1). */
  readonly replay = new Map<string, number>();
  /** Override the key of the replay map for a channel (to test a mismatched map). */
  readonly replayKey = new Map<string, string>();
  /** Channels re-subscribed after each successful handshake. */
  readonly #subscribed = new Set<string>();
  #replayEnabled = false;

  constructor(private readonly options: StreamingClientOptions) {
    if (!adapted) {
      adapt(); // defines global window/XMLHttpRequest; must precede new CometD()
      adapted = true;
    }
    this.cometd = new CometD();
    this.cometd.unregisterTransport('websocket');
    this.configure(options.token);
    this.cometd.registerExtension('sfReplay', {
      incoming: (m) => this.#incoming(m),
      outgoing: (m) => this.#outgoing(m),
    });
    for (const channel of ['/meta/handshake', '/meta/connect', '/meta/subscribe', '/meta/unsubscribe', '/meta/disconnect']) {
      this.cometd.addListener(channel, (m) => this.meta.push(m));
    }
    this.cometd.addListener('/meta/handshake', (m) => {
      if (m.successful !== true || m.reestablish !== true) return;
      for (const channel of this.#subscribed) this.cometd.subscribe(channel, (e) => this.#record(e));
    });
  }

  /** Point the client at a token (after a refresh, before re-handshaking). */
  configure(token: string): void {
    this.cometd.configure({
      url: `${this.options.url}/cometd/${this.options.apiVersion ?? '59.0'}`,
      requestHeaders: { Authorization: `Bearer ${token}` },
      appendMessageTypeToURL: false,
    });
  }

  /** Handshake and resolve with the reply (successful or not). */
  handshake(): Promise<Message> {
    return new Promise((resolve) => this.cometd.handshake(resolve));
  }

  /** Subscribe from `replayFrom` (default: the `replay` map, else -1) and resolve with the subscribe reply. */
  subscribe(channel: string, replayFrom?: number): Promise<Message> {
    if (replayFrom !== undefined) this.replay.set(channel, replayFrom);
    return new Promise((resolve) => {
      this.cometd.subscribe(
        channel,
        (m) => this.#record(m),
        (reply) => {
          if (reply.successful === true) this.#subscribed.add(channel);
          resolve(reply);
        },
      );
    });
  }

  /** Messages received on `channel` so far. */
  received(channel: string): Message[] {
    return this.events.get(channel) ?? [];
  }

  /** Wait until `channel` has at least `count` messages; resolves with them. */
  waitForEvents(channel: string, count: number, timeoutMs = 5000): Promise<Message[]> {
    return waitFor(
      () => (this.received(channel).length >= count ? this.received(channel) : undefined),
      timeoutMs,
      `${count} event(s) on ${channel} (have ${this.received(channel).length})`,
    );
  }

  /** Disconnect (bounded wait: a dead server must not hang teardown). */
  async disconnect(): Promise<void> {
    if (this.cometd.isDisconnected()) return;
    await Promise.race([new Promise<void>((resolve) => this.cometd.disconnect(() => resolve())), new Promise<void>((resolve) => setTimeout(resolve, 2000))]);
  }

  #record(message: Message): void {
    const list = this.events.get(message.channel) ?? [];
    list.push(message);
    this.events.set(message.channel, list);
  }

  #incoming(message: Message): Message {
    if (message.channel === '/meta/handshake') {
      this.#replayEnabled = (message.ext as { replay?: unknown } | undefined)?.replay === true;
    }
    const replayId = (message.data as { event?: { replayId?: unknown } } | undefined)?.event?.replayId;
    if (typeof replayId === 'number') this.replay.set(message.channel, replayId);
    return message; // never null: that would drop the message
  }

  #outgoing(message: Message): Message {
    if (message.channel === '/meta/subscribe' && this.#replayEnabled) {
      const channel = String(message.subscription);
      const key = this.replayKey.get(channel) ?? channel;
      message.ext = { ...(message.ext ?? {}), replay: { [key]: this.replay.get(channel) ?? -1 } };
    }
    return message;
  }
}

/** A separate emulator with its own Streaming API timing, and a token for it. */
export interface MountedStreaming {
  url: string;
  api: StreamingApi;
  /** An access token of the mounted emulator's admin. */
  token: string;
  emu: RunningEmulator;
  stop(): Promise<void>;
}

/** Start an emulator with `streaming` options (e.g. short timeouts) and log in to it with the password grant. */
export async function mountStreaming(options: StreamingPartOptions): Promise<MountedStreaming> {
  const emu = await startEmulator({ streaming: options });
  try {
    const res = await fetch(`${emu.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: 'admin@sfsync.test',
        password: 'sfsync',
        client_id: 'sfsync-local',
        client_secret: 'sfsync-local-secret',
      }),
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    if (emu.streaming === undefined) throw new Error('the emulator has no Streaming API');
    return { url: emu.url, api: emu.streaming, token, emu, stop: () => emu.stop() };
  } catch (error) {
    await emu.stop();
    throw error;
  }
}
