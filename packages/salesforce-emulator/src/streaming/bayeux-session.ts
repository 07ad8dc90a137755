/**
 * One Bayeux client (a `clientId` from a handshake): its subscriptions, the
 * events waiting for its next `/meta/connect`, the connect it holds open, and
 * the expiry that drops it when it does not come back within `clientTimeoutMs`
 * (Salesforce: 40 s after the last reply).
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { EventMessage, OutgoingMessage } from './bayeux-message.js';
import type { ChannelSubscriber } from './channel-registry.js';

/** Timing of a session, in ms. */
export interface SessionTiming {
  /** Drop the client when no request arrives this long while no connect is held (default 40,000). */
  clientTimeoutMs: number;
  /** Called once when the session expires. */
  onExpire: (session: BayeuxSession) => void;
}

interface HeldConnect {
  res: ServerResponse;
  reply: OutgoingMessage;
  timer: NodeJS.Timeout;
}

/** A handshaken client. */
export class BayeuxSession implements ChannelSubscriber {
  /** Subscribed channel names. */
  readonly subscriptions = new Set<string>();
  /** False until the first `/meta/connect` has been answered. */
  connected = false;
  #queue: EventMessage[] = [];
  #held: HeldConnect | undefined;
  #flushScheduled = false;
  #expiry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly clientId: string,
    readonly userId: string,
    private readonly timing: SessionTiming,
  ) {
    this.touch();
  }

  /** Queue an event; a held connect is answered on the next tick, so one transaction's events travel together. */
  deliver(message: EventMessage): void {
    if (this.#closed) return;
    this.#queue.push(message);
    if (this.#held !== undefined && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        this.#answerHeld();
      });
    }
  }

  /** Take the queued events (for an immediate connect reply). */
  drain(): EventMessage[] {
    const events = this.#queue;
    this.#queue = [];
    return events;
  }

  /** Whether a `/meta/connect` is being held open. */
  get isHolding(): boolean {
    return this.#held !== undefined;
  }

  /** Whether events are waiting. */
  get hasQueued(): boolean {
    return this.#queue.length > 0;
  }

  /**
   * Hold a `/meta/connect` until an event arrives or `timeoutMs` passes, then
   * answer `[...events, reply]`. A connect already held is answered first.
   */
  hold(res: ServerResponse, reply: OutgoingMessage, timeoutMs: number): void {
    this.#answerHeld();
    this.#clearExpiry();
    const timer = setTimeout(() => this.#answerHeld(), timeoutMs);
    timer.unref();
    this.#held = { res, reply, timer };
    res.once('close', () => {
      // The client went away without an answer: forget the connect, start the expiry clock.
      if (this.#held?.res === res) {
        clearTimeout(this.#held.timer);
        this.#held = undefined;
        this.touch();
      }
    });
    if (this.hasQueued) this.#answerHeld();
  }

  /** Note activity: restart the expiry clock unless a connect is held. */
  touch(): void {
    this.#clearExpiry();
    if (this.#closed || this.#held !== undefined) return;
    this.#expiry = setTimeout(() => {
      this.#expiry = undefined;
      if (this.#held === undefined) this.timing.onExpire(this);
    }, this.timing.clientTimeoutMs);
    this.#expiry.unref();
  }

  /** End the session: answer a held connect (with `reply` overrides) and clear every timer. */
  close(overrides: Partial<OutgoingMessage> = {}): void {
    if (this.#closed) return;
    const held = this.#held;
    if (held !== undefined) held.reply = { ...held.reply, ...overrides };
    this.#answerHeld();
    this.#closed = true;
    this.#clearExpiry();
    this.#queue = [];
  }

  #answerHeld(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    clearTimeout(held.timer);
    // Events stay queued when the client has gone: its next connect takes them.
    if (!held.res.writableEnded && !held.res.destroyed) {
      sendJson(held.res, 200, [...this.drain(), held.reply]);
    }
    this.touch();
  }

  #clearExpiry(): void {
    if (this.#expiry !== undefined) clearTimeout(this.#expiry);
    this.#expiry = undefined;
  }
}
