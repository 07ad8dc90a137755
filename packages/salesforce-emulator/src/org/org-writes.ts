/**
 * The write path of one org. A write call stages its ops into a
 * WriteTransaction (or into the open composite batch, see `atomically`),
 * rolls every op back when allOrNone fails, and commits the rest: the store
 * accepts the changes at once, and they become visible — publishing their
 * change events — at once or after the control's commit delay.
 */
import { randomUUID } from 'node:crypto';
import type { ObjectDef, SfRecord, WriteContext, WriteOp, WriteResult } from '../ports.js';
import type { IdGenerator } from './ids.js';
import type { ModstampClock } from './modstamp-clock.js';
import type { OrgEvents } from './org-events.js';
import type { RecordStore, StoredRow } from './record-store.js';
import type { WriterEnv } from './record-writer.js';
import type { Schema } from './schema.js';
import { applyOp, type AfterSave } from './write-ops.js';
import { WriteTransaction, type StagedChange } from './write-transaction.js';
import { WriteFailure } from './write-failure.js';

/** What the write path needs from the org. */
export interface OrgWritesDeps {
  readonly schema: Schema;
  readonly store: RecordStore;
  readonly ids: IdGenerator;
  readonly clock: ModstampClock;
  readonly events: OrgEvents;
  /** Canonical names of an object's unique / external-id fields. */
  indexedFields(object: string): string[];
  /** The commit delay now in force (ms); 0 or less makes a write visible at once. */
  commitDelayMs(): number;
  /** Throws FIELD_CUSTOM_VALIDATION_EXCEPTION when a validation rule matches. */
  checkValidationRules(object: ObjectDef, values: SfRecord): void;
  /** Automation, after each successful create/update. */
  afterSave: AfterSave;
  /** After a transaction's changes became visible (publish-after-commit automation); the visible changes in order. */
  afterCommit?: (changes: readonly StagedChange[]) => void;
}

/** Writes of one org: staging, allOrNone, composite batches and (delayed) commit. */
export class OrgWrites {
  /** What the record writer draws on; its sequence and auto-number counters live here. */
  readonly env: WriterEnv;
  private batch: WriteTransaction | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;
  private autoNumber = 0;

  constructor(private readonly deps: OrgWritesDeps) {
    this.env = {
      schema: deps.schema,
      ids: deps.ids,
      nextStamp: () => deps.clock.next(),
      nextSeq: () => ++this.seq,
      nextAutoNumber: () => String(++this.autoNumber).padStart(8, '0'),
      checkValidationRules: (object, values) => deps.checkValidationRules(object, values),
    };
  }

  /** Apply `ops` in order; each fails on its own unless `allOrNone`, which then rolls every op back. */
  write(ops: WriteOp[], options: { allOrNone: boolean }, ctx: WriteContext): WriteResult[] {
    const tx = this.batch ?? this.newTransaction();
    const start = tx.mark;
    const results: WriteResult[] = [];
    let failed = false;
    for (const op of ops) {
      const mark = tx.mark;
      try {
        results.push(applyOp(this.env, tx, op, ctx, this.deps.afterSave));
      } catch (error) {
        if (!(error instanceof WriteFailure)) throw error;
        tx.truncate(mark);
        failed = true;
        results.push({ success: false, errors: error.errors });
      }
    }
    if (failed && options.allOrNone) {
      tx.truncate(start);
      return results.map(rolledBack);
    }
    if (this.batch === undefined) this.commit(tx.changes);
    return results;
  }

  /**
   * Run `fn` with every write staged into one transaction that commits only
   * if `fn` returns true (composite allOrNone). `fn` must be synchronous, so
   * no other request's writes can land in the batch.
   */
  atomically(fn: () => boolean): boolean {
    if (this.batch !== undefined) return fn();
    const tx = this.newTransaction();
    this.batch = tx;
    let ok = false;
    try {
      ok = fn();
    } finally {
      this.batch = undefined;
    }
    if (ok) this.commit(tx.changes);
    return ok;
  }

  /** The newest version of a record (even one staged in the open batch or awaiting a delayed commit), deleted or not. */
  latest(id: string): StoredRow | undefined {
    return (this.batch ?? this.deps.store).latest(id);
  }

  /** Live (undeleted) records whose unique / external-id `field` equals `value` (case-insensitive text). */
  findByExternalId(object: string, field: string, value: unknown): StoredRow[] {
    const out: StoredRow[] = [];
    const source = this.batch ?? this.deps.store;
    for (const id of source.findByValue(object, field, value)) {
      const row = source.latest(id);
      if (row !== undefined && !row.isDeleted) out.push(row);
    }
    return out;
  }

  /** Cancel delayed commits not yet visible (reset, server stop); their writes never become visible. */
  cancelDelayedCommits(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private newTransaction(): WriteTransaction {
    return new WriteTransaction(this.deps.store, (object) => this.deps.indexedFields(object));
  }

  private commit(changes: readonly StagedChange[]): void {
    if (changes.length === 0) return;
    const { store, events } = this.deps;
    const delay = this.deps.commitDelayMs();
    for (const c of changes) store.accept(c.id, c.object, c.prev, c.next, delay > 0);
    const transactionKey = randomUUID();
    const makeVisible = (): void => {
      const now = Date.now();
      const committed: StagedChange[] = [];
      for (const c of changes) {
        const visible = store.commit(c.id, c.object, c.next, c.next?.seq ?? Number.MAX_SAFE_INTEGER);
        if (visible) committed.push(c);
        // Purging the recycle bin removes records whose DELETE was already published: no second event.
        if (visible && !(c.kind === 'HARD_DELETE' && c.prev?.isDeleted === true)) events.emitChange(c, now, transactionKey);
      }
      this.deps.afterCommit?.(committed);
    };
    if (delay <= 0) {
      makeVisible();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      makeVisible();
    }, delay);
    this.timers.add(timer);
  }
}

/** A result of an allOrNone call that failed elsewhere: rolled back, keeping `created`. */
function rolledBack(result: WriteResult): WriteResult {
  if (!result.success) return result;
  return {
    success: false,
    ...(result.created !== undefined ? { created: result.created } : {}),
    errors: [
      {
        statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
        message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
        fields: [],
      },
    ],
  } as WriteResult;
}
