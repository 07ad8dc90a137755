/**
 * Change and platform event fan-out. A listener that throws is logged and
 * skipped: one broken subscriber must not fail a write that already committed.
 */
import type { ChangeEvent, PlatformEventMessage } from '../ports.js';
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
    const record = change.kind === 'DELETE' || change.kind === 'HARD_DELETE' ? change.prev?.values : change.next?.values;
    const event: ChangeEvent = {
      object: change.object,
      changeType: change.kind === 'HARD_DELETE' ? 'DELETE' : change.kind,
      recordIds: [change.id],
      changedFields: change.kind === 'CREATE' && change.next !== null ? nonNullFields(change.next) : change.changedFields,
      record: { ...(record ?? {}) },
      commitTimestamp,
      transactionKey,
      commitUser: change.ctx.userId,
      changeOrigin: change.ctx.changeOrigin,
    };
    for (const listener of this.changeListeners) safeCall(listener, event);
  }

  emitPlatformEvent(message: PlatformEventMessage): void {
    for (const listener of this.eventListeners) safeCall(listener, message);
  }
}

function safeCall<T>(listener: (event: T) => void, event: T): void {
  try {
    listener(event);
  } catch (error) {
    console.error('[sfsync emulator] event listener failed:', error);
  }
}
