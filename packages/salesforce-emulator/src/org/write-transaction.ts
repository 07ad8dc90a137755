/**
 * One `Org.write` call's staging area. Writes are validated and staged here
 * against the store plus everything staged before them in the same call, and
 * reach the store only when the whole call is accepted — that is how
 * allOrNone rolls back: nothing staged is ever applied.
 */
import type { WriteContext } from '../ports.js';
import type { RecordStore, StoredRow } from './record-store.js';
import { valueKey } from './record-store.js';

/** What a staged change did, in CDC terms (HARD_DELETE is published as DELETE). */
export type ChangeKind = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE' | 'HARD_DELETE';

/** One staged record change. */
export interface StagedChange {
  id: string;
  object: string;
  kind: ChangeKind;
  prev: StoredRow | undefined;
  next: StoredRow | null;
  changedFields: string[];
  ctx: WriteContext;
}

/** The staging overlay of one write call. */
export class WriteTransaction {
  private readonly overlay = new Map<string, StoredRow | null>();
  private readonly staged: StagedChange[] = [];
  /** `object.field=valueKey` → Ids staged with that value (only unique/external-id fields). */
  private readonly stagedValues = new Map<string, Set<string>>();

  /** @param indexedFields canonical names of an object's unique / external-id fields */
  constructor(
    private readonly store: RecordStore,
    private readonly indexedFields: (object: string) => string[],
  ) {}

  /** Changes in staging order. */
  get changes(): readonly StagedChange[] {
    return this.staged;
  }

  /** Number of staged changes, to undo one op's changes with {@link truncate}. */
  get mark(): number {
    return this.staged.length;
  }

  /** The newest version of a record as this call sees it. */
  latest(id: string): StoredRow | undefined {
    if (this.overlay.has(id)) return this.overlay.get(id) ?? undefined;
    return this.store.latest(id);
  }

  /** Ids of non-hard-deleted records of `object` whose `field` equals `value` as this call sees them. */
  findByValue(object: string, field: string, value: unknown): string[] {
    const key = valueKey(value);
    const out = new Set<string>();
    for (const id of this.store.findByValue(object, field, value)) {
      if (!this.overlay.has(id)) out.add(id);
    }
    for (const id of this.stagedValues.get(`${object}.${field}=${key}`) ?? []) {
      const v = this.overlay.get(id)?.values[field];
      if (v !== null && v !== undefined && valueKey(v) === key) out.add(id);
    }
    return [...out];
  }

  /** Ids of every record of `object` this call sees, deleted or not: visible in the store, or staged here. */
  idsOf(object: string): Set<string> {
    const out = new Set<string>();
    for (const row of this.store.scan(object, true)) out.add(row.id);
    for (const c of this.staged) if (c.object === object && c.next !== null) out.add(c.id);
    return out;
  }

  /** Stage one change. */
  stage(change: StagedChange): void {
    this.overlay.set(change.id, change.next);
    this.staged.push(change);
    const row = change.next;
    if (row === null) return;
    for (const field of this.indexedFields(row.object)) {
      const v = row.values[field];
      if (v === null || v === undefined) continue;
      const k = `${row.object}.${field}=${valueKey(v)}`;
      const ids = this.stagedValues.get(k) ?? new Set<string>();
      ids.add(row.id);
      this.stagedValues.set(k, ids);
    }
  }

  /** Drop changes staged after `mark` (a failed op with allOrNone off). */
  truncate(mark: number): void {
    if (mark >= this.staged.length) return;
    const kept = this.staged.slice(0, mark);
    this.staged.length = 0;
    this.overlay.clear();
    this.stagedValues.clear();
    for (const c of kept) this.stage(c);
  }
}
