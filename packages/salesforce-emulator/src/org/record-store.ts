/**
 * The org's records: committed (visible) versions by Id, uncommitted versions
 * waiting for a delayed commit, a SystemModstamp index per object, and value
 * indexes for unique and external-Id fields.
 *
 * "Latest" is what writes see (a write always builds on the newest version,
 * committed or not); "committed" is what queries, getUpdated and change
 * events see. Without delayed commit the two are the same.
 */
import type { ModstampRange, StoredRecord } from '../ports.js';
import { ModstampIndex } from './modstamp-index.js';

/** A stored record version with its org-wide write sequence (newer versions have higher seq). */
export interface StoredRow extends StoredRecord {
  readonly seq: number;
  /** Set once a newer version (or a hard delete) replaced this one in the visible store; index entries with it are tombstones. */
  superseded: boolean;
  /** On a deleted version: the Id of the parent whose delete took this record with it (undeleting the parent restores it). */
  readonly deletedWith?: string;
}

/** Index key for a unique / external-Id value: case-insensitive as Salesforce compares text ids. */
export function valueKey(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : String(value);
}

/** Records of one org. */
export class RecordStore {
  private readonly committed = new Map<string, StoredRow>();
  /** Versions accepted but not yet visible; null marks a pending hard delete. */
  private readonly pending = new Map<string, StoredRow | null>();
  private readonly indexes = new Map<string, ModstampIndex>();
  /** object → field → value key → Ids, over latest versions. */
  private readonly valueIndexes = new Map<string, Map<string, Map<string, Set<string>>>>();
  /** object → when its latest physically deleted record was deleted (epoch ms), for getDeleted's earliestDateAvailable. */
  private readonly physicalDeletes = new Map<string, number>();

  /** @param indexedFields which fields of an object are unique or external ids (canonical names). */
  constructor(private readonly indexedFields: (object: string) => string[]) {}

  /** The newest version (committed or pending) of a record, deleted or not. */
  latest(id: string): StoredRow | undefined {
    const p = this.pending.get(id);
    if (p !== undefined) return p ?? undefined;
    return this.committed.get(id);
  }

  /** The visible version of a record. */
  visible(id: string): StoredRow | undefined {
    return this.committed.get(id);
  }

  /** Ids whose latest version of `object` has `field = value` (canonical field name; case-insensitive text). */
  findByValue(object: string, field: string, value: unknown): string[] {
    const ids = this.valueIndexes.get(object)?.get(field)?.get(valueKey(value));
    return ids === undefined ? [] : [...ids];
  }

  /** Record a new latest version (or a hard delete when `next` is null); visibility comes with {@link commit}. */
  accept(id: string, object: string, prev: StoredRow | undefined, next: StoredRow | null, delayed: boolean): void {
    this.reindexValues(object, id, prev, next ?? undefined);
    if (delayed) this.pending.set(id, next);
  }

  /** Make a version visible. Out-of-order commits never let an older version replace a newer one. */
  commit(id: string, object: string, next: StoredRow | null, seq: number): boolean {
    if (this.pending.get(id) === next) this.pending.delete(id);
    const current = this.committed.get(id);
    if (current !== undefined && current.seq > seq) return false;
    const index = this.index(object);
    if (next === null) {
      if (current === undefined) return false;
      this.committed.delete(id);
      current.superseded = true;
      index.remove();
      // A purged recycle-bin record was deleted at its stamp; a hard-deleted live record now.
      const deletedAt = current.isDeleted ? current.systemModstampMs : Date.now();
      this.physicalDeletes.set(object, Math.max(deletedAt, this.physicalDeletes.get(object) ?? 0));
      return true;
    }
    this.committed.set(id, next);
    if (current !== undefined) current.superseded = true;
    index.add(next, current);
    return true;
  }

  /** Visible records of an object: by modstamp range from the index (O(log n + k)), or all. */
  scan(object: string, includeDeleted: boolean, range?: ModstampRange, order: 'asc' | 'desc' = 'asc'): Iterable<StoredRow> {
    const index = this.indexes.get(object);
    if (index === undefined) return [];
    return index.scan(range, order, includeDeleted);
  }

  /** Number of visible records of an object (deleted ones included). */
  count(object: string): number {
    return this.indexes.get(object)?.size ?? 0;
  }

  /** Every object with at least one record. */
  objects(): string[] {
    return [...this.indexes.keys()];
  }

  /** Whether any write is waiting for its delayed commit. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The earliest SystemModstamp still waiting for its delayed commit (in-flight transactions). */
  oldestPendingStamp(): number | undefined {
    let oldest: number | undefined;
    for (const row of this.pending.values()) {
      if (row !== null && (oldest === undefined || row.systemModstampMs < oldest)) oldest = row.systemModstampMs;
    }
    return oldest;
  }

  /**
   * When the latest physically deleted record of `object` (purged from the
   * recycle bin, or hard-deleted) had been deleted, epoch ms; undefined when none was.
   */
  lastPhysicalDelete(object: string): number | undefined {
    return this.physicalDeletes.get(object);
  }

  /** Forget everything. */
  clear(): void {
    this.physicalDeletes.clear();
    this.committed.clear();
    this.pending.clear();
    this.indexes.clear();
    this.valueIndexes.clear();
  }

  private index(object: string): ModstampIndex {
    let index = this.indexes.get(object);
    if (index === undefined) {
      index = new ModstampIndex();
      this.indexes.set(object, index);
    }
    return index;
  }

  private reindexValues(object: string, id: string, prev: StoredRow | undefined, next: StoredRow | undefined): void {
    const fields = this.indexedFields(object);
    if (fields.length === 0) return;
    let byField = this.valueIndexes.get(object);
    if (byField === undefined) {
      byField = new Map();
      this.valueIndexes.set(object, byField);
    }
    for (const f of fields) {
      const before = prev === undefined ? null : valueOf(prev, f);
      const after = next === undefined ? null : valueOf(next, f);
      if (before === after) continue;
      let byValue = byField.get(f);
      if (byValue === undefined) {
        byValue = new Map();
        byField.set(f, byValue);
      }
      if (before !== null) {
        const set = byValue.get(valueKey(before));
        set?.delete(id);
        if (set?.size === 0) byValue.delete(valueKey(before));
      }
      if (after !== null) {
        const key = valueKey(after);
        const set = byValue.get(key) ?? new Set<string>();
        set.add(id);
        byValue.set(key, set);
      }
    }
  }
}

function valueOf(row: StoredRow, field: string): unknown {
  return row.values[field] ?? null;
}
