/**
 * The Bayeux protocol over a batch of messages: handshake, connect,
 * subscribe, unsubscribe, disconnect (docs/wire-notes.md, Streaming). Transport
 * concerns (body parsing, cookies, holding the HTTP response) live in routes.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Session } from '../ports.js';
import type { IncomingMessage, OutgoingMessage } from './bayeux-message.js';
import { BayeuxErrors, errorReply, replyTo } from './bayeux-message.js';
import { BayeuxSession } from './bayeux-session.js';
import type { ChannelRegistry } from './channel-registry.js';
import type { SubscribeDeps } from './subscribe-handler.js';
import { handleSubscribe, handleUnsubscribe } from './subscribe-handler.js';

/** The request around a batch, resolved once per HTTP request. */
export interface BatchContext {
  /** The live session of the `Authorization` header, if any. */
  auth: Session | undefined;
  /** Whether an `Authorization` header was sent at all. */
  hasAuthHeader: boolean;
  /** Whether the request carried the `BAYEUX_BROWSER` cookie. */
  hasBrowserCookie: boolean;
  /** `59.0` */
  apiVersion: string;
}

/** What to send for a batch: replies now, or a connect to hold. */
export interface BatchResult {
  replies: OutgoingMessage[];
  /** A handshake succeeded: set the streaming cookies. */
  setCookies: boolean;
  /** The batch was a single connect to hold open. */
  hold?: { session: BayeuxSession; reply: OutgoingMessage };
}

/** Timing and policy of the server. */
export interface BayeuxServerOptions {
  connectTimeoutMs: number;
  clientTimeoutMs: number;
  /** Refuse messages of known clients without the `BAYEUX_BROWSER` cookie, as Salesforce does. */
  requireCookies: boolean;
}

/** Advice for a reply that needs a new handshake. */
const HANDSHAKE_ADVICE = { interval: 0, reconnect: 'handshake' } as const;

/** The Bayeux sessions and message handling. */
export class BayeuxServer {
  readonly #sessions = new Map<string, BayeuxSession>();

  constructor(
    private readonly deps: SubscribeDeps & { channels: ChannelRegistry },
    private readonly options: BayeuxServerOptions,
  ) {}

  /** Handle a batch of validated messages (objects with a string `channel`). */
  handleBatch(messages: IncomingMessage[], ctx: BatchContext): BatchResult {
    const result: BatchResult = { replies: [], setCookies: false };
    for (const message of messages) {
      const channel = message['channel'] as string;
      if (channel === '/meta/handshake') {
        const reply = this.#handshake(message, ctx);
        result.setCookies ||= reply.successful === true;
        result.replies.push(reply);
        continue;
      }
      const checked = this.#clientOf(message, ctx);
      if (!(checked instanceof BayeuxSession)) {
        result.replies.push(checked);
        continue;
      }
      checked.touch();
      if (channel === '/meta/connect') this.#connect(message, checked, messages.length === 1, result);
      else result.replies.push(this.#dispatch(message, channel, checked));
    }
    return result;
  }

  /** Forget every client (their next message gets `403::Unknown client`); held connects are answered now. */
  dropClients(): number {
    const count = this.#sessions.size;
    for (const session of [...this.#sessions.values()]) this.#remove(session, {});
    return count;
  }

  /** Number of live clients. */
  get clientCount(): number {
    return this.#sessions.size;
  }

  /** Number of `/meta/connect` requests being held open. */
  get heldConnectCount(): number {
    let held = 0;
    for (const session of this.#sessions.values()) if (session.isHolding) held += 1;
    return held;
  }

  /** Answer every held connect and clear every timer. */
  stop(): void {
    for (const session of [...this.#sessions.values()]) {
      this.#remove(session, { advice: { reconnect: 'none', interval: 0 } });
    }
  }

  #handshake(message: IncomingMessage, ctx: BatchContext): OutgoingMessage {
    if (ctx.auth === undefined) {
      return errorReply(message, BayeuxErrors.handshakeDenied, {
        ext: { sfdc: { failureReason: BayeuxErrors.authInvalid } },
        advice: { reconnect: 'none' },
      });
    }
    const clientId = newClientId();
    const session = new BayeuxSession(clientId, ctx.auth.userId, {
      clientTimeoutMs: this.options.clientTimeoutMs,
      onExpire: (expired) => this.#remove(expired, {}),
    });
    this.#sessions.set(clientId, session);
    return replyTo(message, {
      ext: { replay: Number(ctx.apiVersion) >= 37, 'payload.format': true },
      minimumVersion: '1.0',
      clientId,
      supportedConnectionTypes: ['long-polling'],
      version: '1.0',
      successful: true,
    });
  }

  /** The session a message belongs to, or the error reply (auth first, then unknown client, then cookie). */
  #clientOf(message: IncomingMessage, ctx: BatchContext): BayeuxSession | OutgoingMessage {
    if (ctx.auth === undefined) {
      const error = ctx.hasAuthHeader ? BayeuxErrors.authInvalid : BayeuxErrors.authRequired;
      return errorReply(message, error, { advice: { reconnect: 'none', interval: 0 } });
    }
    const clientId = message['clientId'];
    const session = typeof clientId === 'string' ? this.#sessions.get(clientId) : undefined;
    if (session === undefined) {
      return errorReply(message, BayeuxErrors.unknownClient, { advice: { ...HANDSHAKE_ADVICE } });
    }
    if (this.options.requireCookies && !ctx.hasBrowserCookie) {
      return errorReply(message, BayeuxErrors.missingCookie(session.clientId), { clientId: session.clientId });
    }
    return session;
  }

  #connect(message: IncomingMessage, session: BayeuxSession, alone: boolean, result: BatchResult): void {
    const base = { clientId: session.clientId };
    if (message['connectionType'] !== 'long-polling') {
      result.replies.push(errorReply(message, BayeuxErrors.connectionType(message['connectionType']), base));
      return;
    }
    const reply = replyTo(message, { ...base, successful: true });
    const advice = message['advice'] as { timeout?: unknown } | undefined;
    // The first connect after a handshake (and any connect asking timeout:0) is answered at once.
    const immediate = !session.connected || advice?.timeout === 0;
    if (immediate) {
      session.connected = true;
      reply.advice = { interval: 0, timeout: this.options.connectTimeoutMs, reconnect: 'retry' };
    }
    if (!immediate && alone && !session.hasQueued) {
      result.hold = { session, reply };
      return;
    }
    result.replies.push(...session.drain(), reply);
  }

  #dispatch(message: IncomingMessage, channel: string, session: BayeuxSession): OutgoingMessage {
    switch (channel) {
      case '/meta/subscribe':
        return handleSubscribe(message, session, this.deps);
      case '/meta/unsubscribe':
        return handleUnsubscribe(message, session, this.deps.channels);
      case '/meta/disconnect':
        this.#remove(session, { advice: { reconnect: 'none', interval: 0 } });
        return replyTo(message, { clientId: session.clientId, successful: true });
      default:
        return channel.startsWith('/meta/')
          ? errorReply(message, BayeuxErrors.unknownMeta(channel), { clientId: session.clientId })
          : errorReply(message, BayeuxErrors.publishDenied(channel), { clientId: session.clientId });
    }
  }

  #remove(session: BayeuxSession, overrides: Partial<OutgoingMessage>): void {
    this.#sessions.delete(session.clientId);
    for (const channel of session.subscriptions) this.deps.channels.unsubscribe(channel, session);
    session.close(overrides);
  }
}

/** A 27-character base-36 client id, like Salesforce's `1cyu4thyxh3fgv1nqwcvebt3o9x`. */
function newClientId(): string {
  const bytes = randomBytes(27);
  let id = '';
  for (const byte of bytes) id += (byte % 36).toString(36);
  return id;
}
