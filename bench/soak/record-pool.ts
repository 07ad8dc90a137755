/**
 * Which records the workload can aim at, refreshed every couple of seconds:
 * - `shared`: records known on both sides (table rows with an sfid, plus the
 *   emulator's most recently changed records), so both apps edit the same
 *   records at the same time — the conflicts the sync has to settle;
 * - `local`: every table row by local id, sfid or not, for `@<id>` parent
 *   references and edits of rows whose insert may still be on its way.
 * A pick is for an `edit` (update or delete: any record the workload created,
 * deleted ones included, so edits race deletes) or for a `parent` (only live
 * records nobody is deleting).
 */
import type { AppDb } from './app-db.js';
import type { EmulatorControl } from './emulator-control.js';
import type { Ledger, SoakObject } from './ledger.js';
import type { Rng } from './prng.js';

/** A record the workload may write to. */
export interface PoolRecord {
  tag: string;
  /** Salesforce Id, when known. */
  sfid?: string;
  /** Local row id, when known. */
  localId?: string;
}

/** The table and tag column of each object. */
export const TABLES: Record<SoakObject, { table: string; tagColumn: string; tagField: string }> = {
  Account: { table: 'salesforce.account', tagColumn: 'name', tagField: 'Name' },
  Contact: { table: 'salesforce.contact', tagColumn: 'lastname', tagField: 'LastName' },
};

/** What a picked record is for (see the file comment). */
export type PickPurpose = 'edit' | 'parent';

/** The pickable records of both objects. */
export class RecordPool {
  private shared: Record<SoakObject, PoolRecord[]> = { Account: [], Contact: [] };
  private local: Record<SoakObject, PoolRecord[]> = { Account: [], Contact: [] };

  constructor(private readonly ledger: Ledger) {}

  /** Re-read both lists (errors are left to the caller: a refresh during a restart just fails). */
  async refresh(db: AppDb, control: EmulatorControl): Promise<void> {
    for (const object of ['Account', 'Contact'] as const) {
      const { table, tagColumn, tagField } = TABLES[object];
      const rows = await db.read<{ id: string; sfid: string | null; tag: string }>(`select id::text, sfid, ${tagColumn} as tag from ${table}`, [], 5_000);
      const recent = await control.records(object);
      const local: PoolRecord[] = rows.map((r) => ({ tag: r.tag, localId: r.id, ...(r.sfid ? { sfid: r.sfid } : {}) }));
      const bySfid = new Map<string, PoolRecord>(local.filter((r) => r.sfid).map((r) => [r.sfid!, r]));
      for (const rec of recent.slice(-500)) {
        if (!bySfid.has(rec.Id)) bySfid.set(rec.Id, { tag: String(rec[tagField]), sfid: rec.Id });
      }
      this.local[object] = local;
      this.shared[object] = [...bySfid.values()];
    }
  }

  /** Add a record the workload just created (so it can be edited before the next refresh). */
  add(object: SoakObject, record: PoolRecord): void {
    if (record.sfid) this.shared[object].push(record);
    if (record.localId) this.local[object].push(record);
  }

  /** Up to `n` distinct records known on both sides. */
  pickShared(rng: Rng, object: SoakObject, n: number, purpose: PickPurpose = 'edit'): PoolRecord[] {
    return this.pickFrom(rng, this.shared[object], n, purpose);
  }

  /** Up to `n` distinct table rows. */
  pickLocal(rng: Rng, object: SoakObject, n: number, purpose: PickPurpose = 'edit'): PoolRecord[] {
    return this.pickFrom(rng, this.local[object], n, purpose);
  }

  /** Sizes, for progress lines. */
  sizes(): string {
    return `shared ${this.shared.Account.length}a/${this.shared.Contact.length}c, local ${this.local.Account.length}a/${this.local.Contact.length}c`;
  }

  private pickFrom(rng: Rng, list: PoolRecord[], n: number, purpose: PickPurpose): PoolRecord[] {
    const out: PoolRecord[] = [];
    const seen = new Set<string>();
    const allowed = (tag: string) => (purpose === 'parent' ? this.ledger.isLive(tag) : this.ledger.mayEdit(tag));
    for (let tries = 0; out.length < n && tries < n * 6 && list.length > 0; tries++) {
      const r = rng.pick(list)!;
      if (seen.has(r.tag) || !allowed(r.tag)) continue;
      seen.add(r.tag);
      out.push(r);
    }
    return out;
  }
}
