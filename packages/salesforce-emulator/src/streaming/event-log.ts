/**
 * The retained events of one channel, in replayId order.
 *
 * Events are appended in time order with increasing replayIds, so the log is a
 * sorted array: lookups by replayId are a binary search (O(log n)), and pruning
 * by age or count only moves a `head` offset. The dead prefix is compacted once
 * it is both over 1,024 entries and over half the array, so appends stay O(1)
 * amortized even with millions of events.
 */

/** One retained event of a channel. */
export interface LoggedEvent {
  /** Increasing within a channel; not contiguous. */
  readonly replayId: number;
  /** Epoch ms when the event was published (for retention). */
  readonly createdMs: number;
  /** The `data` of the delivered Bayeux message. */
  readonly data: unknown;
}

/** Below this many dead entries the prefix is never compacted. */
const COMPACT_MIN = 1024;

/** A per-channel ring of retained events. */
export class EventLog {
  #events: LoggedEvent[] = [];
  #head = 0;
  #lastReplayId = 0;

  /** The replayId of the newest event ever appended (0 when none). */
  get lastReplayId(): number {
    return this.#lastReplayId;
  }

  /** Number of retained events. */
  get size(): number {
    return this.#events.length - this.#head;
  }

  /** Append an event; its replayId must exceed every earlier one. */
  append(event: LoggedEvent): void {
    if (event.replayId <= this.#lastReplayId) {
      throw new Error(`replayId ${event.replayId} does not increase past ${this.#lastReplayId}`);
    }
    this.#events.push(event);
    this.#lastReplayId = event.replayId;
  }

  /**
   * Forget events older than `now - retentionMs`, and the oldest beyond
   * `maxEvents`. Events are in time order, so this is a binary search.
   */
  prune(now: number, retentionMs: number, maxEvents: number): void {
    const cutoff = now - retentionMs;
    let head = this.#lowerBound(this.#head, (e) => e.createdMs >= cutoff);
    head = Math.max(head, this.#events.length - maxEvents);
    this.#head = Math.max(this.#head, head);
    if (this.#head > COMPACT_MIN && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Whether an event with exactly this replayId is still retained. */
  has(replayId: number): boolean {
    const index = this.#lowerBound(this.#head, (e) => e.replayId >= replayId);
    return this.#events[index]?.replayId === replayId;
  }

  /** Retained events with replayId strictly greater than `replayId`, oldest first. */
  after(replayId: number): LoggedEvent[] {
    return this.#events.slice(this.#lowerBound(this.#head, (e) => e.replayId > replayId));
  }

  /** Every retained event, oldest first. */
  all(): LoggedEvent[] {
    return this.#events.slice(this.#head);
  }

  /** First index ≥ `from` whose event satisfies the monotone predicate (or the length). */
  #lowerBound(from: number, predicate: (event: LoggedEvent) => boolean): number {
    let lo = from;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const event = this.#events[mid];
      if (event !== undefined && predicate(event)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
