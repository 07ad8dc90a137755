/**
 * The harness's memory of what it did: every record either side created, by
 * a unique traceable tag (Account Name / Contact LastName
 * `soak-<seed>-<pg|sf>-<a|c><n>`), whether it was deleted, and the writes whose
 * outcome could not be seen (settled later by looking the record up). The
 * oracle's expectation is exactly this: created and not deleted → one live
 * record on each side; deleted → none.
 *
 * It also guards the workload's own consistency: a record picked as a parent
 * is never deleted, and a record picked for deletion is never picked as a
 * parent (choices are synchronous, so first come first served). Updates and
 * deletes may aim at records already deleted or doomed: those races are part
 * of the test.
 */

/** The two mapped objects. */
export type SoakObject = 'Account' | 'Contact';

/** Who wrote: the Postgres app or the Salesforce app. */
export type Side = 'pg' | 'sf';

/** What the harness knows about one tag. */
export interface TagEntry {
  object: SoakObject;
  tag: string;
  side: Side;
  /** Whether the creating write happened: yes, no, or unknown until settled. */
  created: 'yes' | 'no' | 'unknown';
  /** What the workload itself created: `local:<id>` (a row) or an sfid (a record); evidence when a copy turns up. */
  createdIds: Set<string>;
  /** A delete of it was seen to happen. */
  deleted: boolean;
  /** What was deleted: sfids and `local:<id>` of the rows and records the deletes named. */
  deletedIds: Set<string>;
  /** A delete of it (by sfid) whose outcome is unknown until settled. */
  deleteUnknown?: string;
}

/** Counters printed in progress lines and the summary. */
export interface LedgerCounters {
  ops: Record<Side, number>;
  created: Record<Side, number>;
  updated: Record<Side, number>;
  deleted: Record<Side, number>;
  /** Refusals and retries the workload saw, by `<side>:<code>`. */
  errors: Map<string, number>;
}

/** The ledger of one run. */
export class Ledger {
  readonly entries = new Map<string, TagEntry>();
  readonly counters: LedgerCounters = {
    ops: { pg: 0, sf: 0 },
    created: { pg: 0, sf: 0 },
    updated: { pg: 0, sf: 0 },
    deleted: { pg: 0, sf: 0 },
    errors: new Map(),
  };
  private readonly parents = new Set<string>();
  private readonly doomed = new Set<string>();
  private readonly sequence = { pg: 0, sf: 0 };
  private values = 0;

  constructor(readonly seed: number) {}

  /** A fresh tag, registered with outcome `unknown` until {@link created} or {@link notCreated}. */
  newTag(object: SoakObject, side: Side): string {
    const tag = `soak-${this.seed}-${side}-${object === 'Account' ? 'a' : 'c'}${++this.sequence[side]}`;
    this.entries.set(tag, { object, tag, side, created: 'unknown', createdIds: new Set(), deleted: false, deletedIds: new Set() });
    return tag;
  }

  /** A run-wide unique number for written values, so each edit is traceable. */
  nextValue(): number {
    return ++this.values;
  }

  /** One workload operation (a statement, a transaction or a REST call). */
  op(side: Side): void {
    this.counters.ops[side]++;
  }

  /** The creating write committed, making the row `localId` or the record `sfid` (unknown after a settle). */
  created(tag: string, ids: { localId?: string; sfid?: string } = {}): void {
    const entry = this.entries.get(tag);
    if (ids.localId) entry?.createdIds.add(`local:${ids.localId}`);
    if (ids.sfid) entry?.createdIds.add(ids.sfid);
    if (entry && entry.created !== 'yes') {
      entry.created = 'yes';
      this.counters.created[entry.side]++;
    }
  }

  /** The creating write was refused (nothing to expect). */
  notCreated(tag: string): void {
    const entry = this.entries.get(tag);
    if (entry) entry.created = 'no';
  }

  /** A delete of `tag` happened on `side`, of the row `localId` and/or the record `sfid`. */
  deleted(tag: string, side: Side, ids: { localId?: string | null; sfid?: string | null }): void {
    const entry = this.entries.get(tag);
    if (!entry) return;
    if (ids.localId) entry.deletedIds.add(`local:${ids.localId}`);
    if (ids.sfid) entry.deletedIds.add(ids.sfid);
    if (!entry.deleted) {
      entry.deleted = true;
      delete entry.deleteUnknown;
      this.counters.deleted[side]++;
    }
  }

  /** A delete of `tag` (record `sfid`) may or may not have happened. */
  deleteUnknown(tag: string, sfid: string): void {
    const entry = this.entries.get(tag);
    if (entry && !entry.deleted) entry.deleteUnknown = sfid;
  }

  /** Updates that went through (records touched). */
  updated(side: Side, records: number): void {
    this.counters.updated[side] += records;
  }

  /** Count a refusal or retry the workload saw. */
  error(side: Side, code: string): void {
    const key = `${side}:${code}`;
    this.counters.errors.set(key, (this.counters.errors.get(key) ?? 0) + 1);
  }

  /** Whether `tag` may be picked as a parent: known, not deleted, not about to be. */
  isLive(tag: string): boolean {
    const entry = this.entries.get(tag);
    return entry !== undefined && entry.created !== 'no' && !entry.deleted && !this.doomed.has(tag);
  }

  /**
   * Whether `tag` may be picked for an update or a delete: any record the
   * workload created, deleted or doomed ones included, so an edit can race a
   * delete from the other side (and two deletes can race each other).
   */
  mayEdit(tag: string): boolean {
    const entry = this.entries.get(tag);
    return entry !== undefined && entry.created !== 'no';
  }

  /** Pick `tag` as a parent: from now on it is never deleted. False if it is already doomed or gone. */
  claimParent(tag: string): boolean {
    if (!this.isLive(tag)) return false;
    this.parents.add(tag);
    return true;
  }

  /** Pick `tag` for deletion: false if it is a parent (a doomed or deleted record may be deleted again). */
  claimDelete(tag: string): boolean {
    if (!this.mayEdit(tag) || this.parents.has(tag)) return false;
    this.doomed.add(tag);
    return true;
  }

  /** Tags whose creation or deletion is still unknown. */
  unsettled(): TagEntry[] {
    return [...this.entries.values()].filter((e) => e.created === 'unknown' || e.deleteUnknown !== undefined);
  }

  /** Total operations. */
  get totalOps(): number {
    return this.counters.ops.pg + this.counters.ops.sf;
  }
}

/** The object a tag names (its `a`/`c` letter), or undefined when it is no soak tag. */
export function objectOfTag(tag: string): SoakObject | undefined {
  const m = /^soak-\d+-(?:pg|sf)-([ac])\d+$/.exec(tag);
  return m ? (m[1] === 'a' ? 'Account' : 'Contact') : undefined;
}
