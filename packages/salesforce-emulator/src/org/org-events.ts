/**
 * Change and platform event fan-out. A listener that throws is logged and
 * skipped: one broken subscriber must not fail a write that already committed.
 */
import type { ChangeEvent, PlatformEventMessage, SfRecord } from '../ports.js';
import { nonNullFields } from './record-writer.js';
import type { StagedChange } from './write-transaction.js';

/** Listener registry of one org. */
export class OrgEvents {
  private readonly changeListeners = new Set<(event: ChangeEvent) => void>();
  private readonly eventListeners = new Set<(event: PlatformEventMessage) => void>();

  onChange(listener: (event: ChangeEvent) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onPlatformEvent(listener: (event: PlatformEventMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Publish a committed change (called when it becomes visible). */
  emitChange(change: StagedChange, commitTimestamp: number, transactionKey: string): void {
    if (this.changeListeners.size === 0) return;
    const event = new CommittedChange(change, commitTimestamp, transactionKey);
    for (const listener of this.changeListeners) safeCall(listener, event);
  }

  emitPlatformEvent(message: PlatformEventMessage): void {
    for (const listener of this.eventListeners) safeCall(listener, message);
  }
}

/**
 * A ChangeEvent over a staged change. Rows are immutable, so `record` is the
 * row's own values (no copy), and CREATE's `changedFields` (every non-null
 * field) are listed only when read: a 200k-row bulk load nobody listens to
 * then allocates one small object per row instead of two 40-key copies.
 */
class CommittedChange implements ChangeEvent {
  readonly object: string;
  readonly changeType: ChangeEvent['changeType'];
  readonly recordIds: string[];
  readonly record: SfRecord;
  readonly commitUser: string;
  readonly changeOrigin: string;
  #changedFields: string[] | undefined;
  readonly #change: StagedChange;

  constructor(
    change: StagedChange,
    readonly commitTimestamp: number,
    readonly transactionKey: string,
  ) {
    this.#change = change;
    this.object = change.object;
    this.changeType = change.kind === 'HARD_DELETE' ? 'DELETE' : change.kind;
    this.recordIds = [change.id];
    const row = change.kind === 'DELETE' || change.kind === 'HARD_DELETE' ? change.prev : (change.next ?? undefined);
    this.record = (row?.values ?? {}) as SfRecord;
    this.commitUser = change.ctx.userId;
    this.changeOrigin = change.ctx.changeOrigin;
  }

  get changedFields(): string[] {
    if (this.#changedFields === undefined) {
      const c = this.#change;
      this.#changedFields = c.kind === 'CREATE' && c.next !== null ? nonNullFields(c.next) : c.changedFields;
    }
    return this.#changedFields;
  }

  /** Plain-object form (spread and JSON.stringify would otherwise miss the getter). */
  toJSON(): ChangeEvent {
    return {
      object: this.object,
      changeType: this.changeType,
      recordIds: this.recordIds,
      changedFields: this.changedFields,
      record: this.record,
      commitTimestamp: this.commitTimestamp,
      transactionKey: this.transactionKey,
      commitUser: this.commitUser,
      changeOrigin: this.changeOrigin,
    };
  }
}

function safeCall<T>(listener: (event: T) => void, event: T): void {
  try {
    listener(event);
  } catch (error) {
    console.error('[sfsync emulator] event listener failed:', error);
  }
}
