/**
 * A per-object index of records ordered by SystemModstamp.
 *
 * Stamps come from a monotonic clock, so almost every write is an append: an
 * update appends the new version and leaves the old entry behind as a
 * tombstone (an entry is live only while it is the record's current version).
 * Range scans binary-search the first stamp and walk forward lazily:
 * O(log n + k). Tombstones are compacted away once they outnumber live entries.
 */
import type { ModstampRange } from '../ports.js';
import type { StoredRow } from './record-store.js';

/** Minimum tombstone count before compaction; avoids churning tiny indexes. */
const COMPACT_MIN_TOMBSTONES = 4096;

/** The ordered entries of one object. */
export class ModstampIndex {
  // Parallel arrays: a plain number array keeps binary search cache-friendly.
  private stamps: number[] = [];
  private entries: StoredRow[] = [];
  private tombstones = 0;

  /** Live entries. */
  get size(): number {
    return this.entries.length - this.tombstones;
  }

  /** Add a record version; `replaced` is the version it supersedes (now a tombstone). */
  add(record: StoredRow, replaced: StoredRow | undefined): void {
    if (replaced !== undefined) this.tombstones++;
    const last = this.stamps[this.stamps.length - 1];
    if (last === undefined || record.systemModstampMs >= last) {
      this.stamps.push(record.systemModstampMs);
      this.entries.push(record);
    } else {
      // A delayed commit becomes visible after later writes: insert in order.
      // Copying (not splicing) keeps any running scan on the old arrays consistent.
      const at = this.upperBound(record.systemModstampMs);
      this.stamps = [...this.stamps.slice(0, at), record.systemModstampMs, ...this.stamps.slice(at)];
      this.entries = [...this.entries.slice(0, at), record, ...this.entries.slice(at)];
    }
    this.maybeCompact();
  }

  /** Mark one entry dead without a replacement (hard delete). */
  remove(): void {
    this.tombstones++;
    this.maybeCompact();
  }

  /**
   * Live records in a range, ascending or descending, lazily. The liveness
   * test is a flag on the row (not a map lookup): a 1M-row scan is
   * memory-bound, and every avoided pointer chase shows.
   */
  *scan(range: ModstampRange = {}, order: 'asc' | 'desc' = 'asc', includeDeleted = true): Generator<StoredRow> {
    const stamps = this.stamps;
    const entries = this.entries;
    const from = range.gte !== undefined ? this.lowerBound(range.gte, stamps) : range.gt !== undefined ? this.upperBound(range.gt, stamps) : 0;
    const to = range.lte !== undefined ? this.upperBound(range.lte, stamps) : range.lt !== undefined ? this.lowerBound(range.lt, stamps) : stamps.length;
    if (order === 'asc') {
      for (let i = from; i < to; i++) {
        const record = entries[i] as StoredRow;
        if (!record.superseded && (includeDeleted || !record.isDeleted)) yield record;
      }
    } else {
      for (let i = to - 1; i >= from; i--) {
        const record = entries[i] as StoredRow;
        if (!record.superseded && (includeDeleted || !record.isDeleted)) yield record;
      }
    }
  }

  /** Drop every entry. */
  clear(): void {
    this.stamps = [];
    this.entries = [];
    this.tombstones = 0;
  }

  /** First position whose stamp is >= ms. */
  private lowerBound(ms: number, stamps = this.stamps): number {
    let lo = 0;
    let hi = stamps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((stamps[mid] as number) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose stamp is > ms. */
  private upperBound(ms: number, stamps = this.stamps): number {
    let lo = 0;
    let hi = stamps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((stamps[mid] as number) <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private maybeCompact(): void {
    if (this.tombstones < COMPACT_MIN_TOMBSTONES || this.tombstones < this.entries.length / 2) return;
    const stamps: number[] = [];
    const entries: StoredRow[] = [];
    for (const record of this.entries) {
      if (record.superseded) continue;
      stamps.push(record.systemModstampMs);
      entries.push(record);
    }
    this.stamps = stamps;
    this.entries = entries;
    this.tombstones = 0;
  }
}
