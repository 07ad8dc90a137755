/**
 * Cascade delete and undelete: deleting an Account deletes its Contacts,
 * Opportunities and Cases with it (to the recycle bin, each with its own
 * DELETE change event), and undeleting the Account brings back the ones that
 * went with it — not those deleted on their own before. Source: Salesforce
 * Help, "Delete Accounts" (associated contacts, opportunities … go to the
 * Recycle Bin with the account; restoring the account restores them).
 */
import type { ObjectDef, WriteContext } from '../ports.js';
import type { StoredRow } from './record-store.js';
import type { WriteTransaction } from './write-transaction.js';

/** Parent object → the children deleted with it: child object and its lookup to the parent. */
export const CASCADE_CHILDREN: ReadonlyMap<string, ReadonlyArray<{ object: string; field: string }>> = new Map([
  [
    'Account',
    [
      { object: 'Contact', field: 'AccountId' },
      { object: 'Opportunity', field: 'AccountId' },
      { object: 'Case', field: 'AccountId' },
    ],
  ],
]);

/** Lookup fields of `object` the cascade finds children by (the org indexes them, so a delete costs O(children)). */
export function cascadeLookupFields(object: string): string[] {
  const out: string[] = [];
  for (const children of CASCADE_CHILDREN.values()) {
    for (const child of children) if (child.object === object) out.push(child.field);
  }
  return out;
}

/** Stages one version of a record: the record writer's delete/undelete of a child, marked with the parent it went with. */
export type StageChildVersion = (object: ObjectDef, prev: StoredRow, kind: 'DELETE' | 'UNDELETE', deletedWith: string | undefined, ctx: WriteContext) => void;

/** Stage the delete (or undelete) of the children of `parent` that go with it. */
export function cascade(
  tx: WriteTransaction,
  getObject: (name: string) => ObjectDef | undefined,
  parent: StoredRow,
  kind: 'DELETE' | 'UNDELETE',
  ctx: WriteContext,
  stage: StageChildVersion,
): void {
  for (const child of CASCADE_CHILDREN.get(parent.object) ?? []) {
    const object = getObject(child.object);
    if (object === undefined) continue;
    for (const id of tx.findByValue(child.object, child.field, parent.id)) {
      const row = tx.latest(id);
      if (row === undefined) continue;
      if (kind === 'DELETE' && !row.isDeleted) stage(object, row, 'DELETE', parent.id, ctx);
      // Only the children that went to the bin with this parent come back with it.
      if (kind === 'UNDELETE' && row.isDeleted && row.deletedWith === parent.id) stage(object, row, 'UNDELETE', undefined, ctx);
    }
  }
}
