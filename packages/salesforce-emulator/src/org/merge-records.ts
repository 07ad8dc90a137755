/**
 * Merge (SOAP `merge()`): up to three Accounts, Contacts or Leads become one.
 * One transaction per merge request, in the order Salesforce documents
 * ("Triggers and Merge Statements", Apex Developer Guide; `merge()`, SOAP API
 * Developer Guide):
 *
 * 1. every record pointing at a losing record by a lookup (Contacts, Opportunities
 *    and Cases of an Account, child Accounts, Cases of a Contact, custom lookups)
 *    is re-parented to the master: a new version with the lookup changed, so
 *    SystemModstamp moves and CDC publishes an UPDATE; no automation runs for
 *    them (merge fires no triggers on related records);
 * 2. the losers are deleted with `MasterRecordId` set to the master (recycle
 *    bin, `queryAll` … `IsDeleted = true AND MasterRecordId != null`, CDC DELETE);
 * 3. the master is updated with the values given in the request (an update
 *    even when none are: its LastModifiedDate moves and automation runs, as
 *    "the winning record fires a single update event").
 */
import type { WriteContext, WriteOp, WriteResult } from '../ports.js';
import type { StoredRow } from './record-store.js';
import { requireObject, stageUpdate, stageVersion, type WriterEnv } from './record-writer.js';
import type { AfterSave } from './write-ops.js';
import type { WriteTransaction } from './write-transaction.js';
import { WriteFailure } from './write-failure.js';

/** Objects merge() accepts. */
export const MERGEABLE_OBJECTS = new Set(['Account', 'Contact', 'Lead']);
/** Records per merge request, the master included (the same limit as Salesforce's UI). */
export const MERGE_RECORD_LIMIT = 3;

/** Lookups merge never moves: the audit and owner lookups point at Users, MasterRecordId at the losers themselves. */
const NOT_REPARENTED = new Set(['CreatedById', 'LastModifiedById', 'OwnerId', 'MasterRecordId']);

/** Stage one merge request; throws WriteFailure (nothing staged is kept) when it cannot be done. */
export function stageMerge(
  env: WriterEnv,
  tx: WriteTransaction,
  op: Extract<WriteOp, { kind: 'merge' }>,
  ctx: WriteContext,
  live: (rawId: string) => StoredRow,
  afterSave: AfterSave,
): WriteResult {
  const object = requireObject(env, op.object);
  if (!MERGEABLE_OBJECTS.has(object.name)) {
    throw new WriteFailure('INVALID_TYPE', `merge() supports Account, Contact and Lead records, not ${object.name}.`);
  }
  if (op.mergeIds.length === 0 || op.mergeIds.length > MERGE_RECORD_LIMIT - 1) {
    throw new WriteFailure(
      'INVALID_ARGUMENT',
      `A merge request merges one or two records into the master record (${MERGE_RECORD_LIMIT} at most); it named ${op.mergeIds.length}.`,
    );
  }
  const master = live(op.masterId);
  const losers = op.mergeIds.map((id) => live(id));
  const ids = new Set([master.id, ...losers.map((l) => l.id)]);
  if (ids.size !== losers.length + 1)
    throw new WriteFailure('INVALID_ID_FIELD', 'The master record and the records to merge must be different records.', ['Id']);

  const updatedRelatedIds = reparent(env, tx, object.name, new Set(losers.map((l) => l.id)), master.id, ctx);
  for (const loser of losers) {
    const current = tx.latest(loser.id) ?? loser;
    stageVersion(env, tx, object, current, { ...current.values, IsDeleted: true, MasterRecordId: master.id }, 'DELETE', ctx);
  }
  stageUpdate(env, tx, tx.latest(master.id) ?? master, op.values, ctx);
  afterSave(tx, master.id, 'update');
  return { success: true, id: master.id, mergedRecordIds: losers.map((l) => l.id), updatedRelatedIds };
}

/** Point every live record that looks up a loser at the master instead; returns their Ids. */
function reparent(env: WriterEnv, tx: WriteTransaction, target: string, losers: Set<string>, masterId: string, ctx: WriteContext): string[] {
  const moved: string[] = [];
  for (const { object, field } of env.schema.childRelationships(target)) {
    if (NOT_REPARENTED.has(field.name)) continue;
    for (const id of tx.idsOf(object.name)) {
      if (losers.has(id)) continue;
      const row = tx.latest(id);
      const value = row?.values[field.name];
      if (row === undefined || row.isDeleted || typeof value !== 'string' || !losers.has(value)) continue;
      stageVersion(env, tx, object, row, { ...row.values, [field.name]: masterId }, 'UPDATE', ctx);
      if (!moved.includes(id)) moved.push(id);
    }
  }
  return moved;
}
