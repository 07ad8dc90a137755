/**
 * Dispatch of one WriteOp onto the record writer, with the checks that depend
 * on the op kind (Id shape, object match, upsert matching).
 */
import type { WriteContext, WriteOp, WriteResult } from '../ports.js';
import { normalizeId } from './ids.js';
import type { StoredRow } from './record-store.js';
import { requireObject, stageCreate, stageDeletion, stageUpdate, type WriterEnv } from './record-writer.js';
import { stageMerge } from './merge-records.js';
import type { WriteTransaction } from './write-transaction.js';
import { WriteFailure } from './write-failure.js';

/** Called after each successful create/update so automation rules can stage follow-up versions. */
export type AfterSave = (tx: WriteTransaction, id: string, kind: 'insert' | 'update') => void;

/** Apply one op to the transaction; throws WriteFailure when it fails. */
export function applyOp(env: WriterEnv, tx: WriteTransaction, op: WriteOp, ctx: WriteContext, afterSave: AfterSave): WriteResult {
  switch (op.kind) {
    case 'create': {
      const object = env.schema.getObject(op.object);
      if (object === undefined || object.isPlatformEvent) {
        throw new WriteFailure('INVALID_TYPE', `sObject type '${op.object}' is not supported.`);
      }
      const id = stageCreate(env, tx, object, op.values, ctx);
      afterSave(tx, id, 'insert');
      return { success: true, id };
    }
    case 'update': {
      const prev = liveRow(env, tx, op.id, op.object);
      stageUpdate(env, tx, prev, op.values, ctx);
      afterSave(tx, prev.id, 'update');
      return { success: true, id: prev.id };
    }
    case 'upsert':
      return applyUpsert(env, tx, op, ctx, afterSave);
    case 'merge':
      return stageMerge(env, tx, op, ctx, (id) => liveRow(env, tx, id, op.object), afterSave);
    case 'delete':
    case 'undelete':
    case 'hardDelete': {
      const id = parseId(op.id);
      stageDeletion(env, tx, op.kind, id, ctx);
      return { success: true, id };
    }
  }
}

function applyUpsert(env: WriterEnv, tx: WriteTransaction, op: Extract<WriteOp, { kind: 'upsert' }>, ctx: WriteContext, afterSave: AfterSave): WriteResult {
  const object = env.schema.getObject(op.object);
  if (object === undefined) throw new WriteFailure('INVALID_TYPE', `sObject type '${op.object}' is not supported.`);
  const extField = env.schema.getField(object, op.externalIdField);
  if (extField === undefined || !(extField.externalId || extField.idLookup)) {
    throw new WriteFailure('INVALID_FIELD', `Field ${op.externalIdField} is not an external id or indexed field of ${object.name}`, [op.externalIdField]);
  }
  const key = Object.keys(op.values).find((k) => k.toLowerCase() === extField.name.toLowerCase());
  const raw = key === undefined ? undefined : op.values[key];
  if (extField.type === 'id') {
    if (raw === undefined || raw === null || raw === '')
      return applyOp(env, tx, { kind: 'create', object: op.object, values: omit(op.values, key) }, ctx, afterSave);
    const prev = liveRow(env, tx, String(raw), object.name);
    stageUpdate(env, tx, prev, omit(op.values, key), ctx);
    afterSave(tx, prev.id, 'update');
    return { success: true, id: prev.id, created: false };
  }
  if (raw === undefined || raw === null || raw === '') {
    throw new WriteFailure('MISSING_ARGUMENT', `${extField.name} not specified`, [extField.name]);
  }
  const matches = findLive(tx, object.name, extField.name, raw);
  if (matches.length > 1) {
    throw new WriteFailure(
      'DUPLICATE_EXTERNAL_ID',
      `${extField.name}: more than one record found for external id field: [${matches.map((m) => m.id).join(', ')}]`,
      [extField.name],
    );
  }
  const [match] = matches;
  if (match === undefined) {
    const id = stageCreate(env, tx, object, op.values, ctx);
    afterSave(tx, id, 'insert');
    return { success: true, id, created: true };
  }
  stageUpdate(env, tx, match, op.values, ctx);
  afterSave(tx, match.id, 'update');
  return { success: true, id: match.id, created: false };
}

/** Live (not deleted) rows of `object` whose `field` equals `value`. */
export function findLive(tx: WriteTransaction, object: string, field: string, value: unknown): StoredRow[] {
  const out: StoredRow[] = [];
  for (const id of tx.findByValue(object, field, value)) {
    const row = tx.latest(id);
    if (row !== undefined && !row.isDeleted) out.push(row);
  }
  return out;
}

function parseId(raw: string): string {
  const id = normalizeId(raw);
  if (id === undefined) throw new WriteFailure('MALFORMED_ID', `bad id ${raw}`);
  return id;
}

function liveRow(env: WriterEnv, tx: WriteTransaction, rawId: string, object: string | undefined): StoredRow {
  const id = parseId(rawId);
  const row = tx.latest(id);
  if (object !== undefined) {
    const expected = requireObject(env, object);
    if (id.slice(0, 3) !== expected.keyPrefix) {
      throw new WriteFailure('MALFORMED_ID', `${expected.label} ID: id value of incorrect type: ${rawId}`, ['Id']);
    }
  }
  if (row === undefined) throw new WriteFailure('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
  if (row.isDeleted) throw new WriteFailure('ENTITY_IS_DELETED', 'entity is deleted');
  return row;
}

function omit(values: Record<string, unknown>, key: string | undefined): Record<string, unknown> {
  if (key === undefined) return values;
  const { [key]: _dropped, ...rest } = values;
  return rest;
}
