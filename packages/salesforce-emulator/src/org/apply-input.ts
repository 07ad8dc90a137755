/**
 * Turn a write's input object into checked field values: resolves field names
 * (case-insensitive), parent references by external id
 * (`{Account: {Ext_Id__c: 'A-1'}}`), read-only fields, types and references.
 */
import type { FieldDef, ObjectDef, SfRecord } from '../ports.js';
import { coerceValue } from './coerce-value.js';
import type { Schema } from './schema.js';
import type { WriteTransaction } from './write-transaction.js';
import { WriteFailure } from './write-failure.js';

/** Keys clients send along with values that are not fields. */
const IGNORED_KEYS = new Set(['attributes']);

/** Checked values by canonical field name, from a create/update/upsert input. */
export function applyInput(
  schema: Schema,
  tx: WriteTransaction,
  object: ObjectDef,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
  ignore: string[] = [],
): SfRecord {
  const out: SfRecord = {};
  // for…in and a tiny ignore list: this runs once per written record (300k+ per bulk load).
  for (const key in input) {
    if (!Object.hasOwn(input, key) || IGNORED_KEYS.has(key) || isIgnored(ignore, key)) continue;
    const raw = input[key];
    const field = schema.getField(object, key);
    if (field === undefined) {
      const rel = schema.getRelationship(object, key);
      if (rel !== undefined && raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
        checkWritable(rel, mode);
        out[rel.name] = resolveByExternalId(schema, tx, rel, raw as Record<string, unknown>);
        continue;
      }
      throw new WriteFailure('INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`, [key]);
    }
    checkWritable(field, mode);
    const value = coerceValue(field, raw);
    if (field.type === 'reference' && value !== null) checkReference(schema, tx, field, value as string);
    out[field.name] = value;
  }
  return out;
}

function isIgnored(ignore: string[], key: string): boolean {
  for (const name of ignore) if (name.length === key.length && name.toLowerCase() === key.toLowerCase()) return true;
  return false;
}

function checkWritable(field: FieldDef, mode: 'create' | 'update'): void {
  if (mode === 'create' ? field.createable : field.updateable) return;
  throw new WriteFailure(
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
    [field.name],
  );
}

/** A lookup must point at an existing, undeleted record of one of its target objects. */
export function checkReference(schema: Schema, tx: WriteTransaction, field: FieldDef, id: string): void {
  const target = schema.objectForId(id);
  if (target === undefined || !field.referenceTo.includes(target.name)) {
    throw new WriteFailure('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${id}`, [field.name]);
  }
  const row = tx.latest(id);
  if (row === undefined) {
    throw new WriteFailure('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]);
  }
  if (row.isDeleted) {
    throw new WriteFailure('ENTITY_IS_DELETED', 'entity is deleted', [field.name]);
  }
}

function resolveByExternalId(schema: Schema, tx: WriteTransaction, rel: FieldDef, spec: Record<string, unknown>): string {
  const keys = Object.keys(spec).filter((k) => !IGNORED_KEYS.has(k));
  const typeHint = (spec.attributes as { type?: unknown } | undefined)?.type;
  const targetName = typeof typeHint === 'string' ? typeHint : rel.referenceTo[0];
  const target = targetName === undefined ? undefined : schema.getObject(targetName);
  const [key] = keys;
  if (target === undefined || key === undefined || keys.length !== 1) {
    throw new WriteFailure('INVALID_FIELD', `A foreign key reference for ${rel.relationshipName ?? rel.name} must name exactly one external id field`, [
      rel.name,
    ]);
  }
  const extField = schema.getField(target, key);
  if (extField === undefined || !(extField.externalId || extField.idLookup)) {
    throw new WriteFailure('INVALID_FIELD', `Field name provided, ${extField?.name ?? key} is not an External ID or indexed field for ${target.name}`);
  }
  const value = coerceValue(extField, spec[key]);
  const ids =
    extField.type === 'id'
      ? typeof value === 'string'
        ? [value]
        : []
      : tx.findByValue(target.name, extField.name, value).filter((id) => tx.latest(id)?.isDeleted === false);
  if (ids.length === 0 || (extField.type === 'id' && tx.latest(ids[0] as string) === undefined)) {
    // Salesforce names no field here (REST `"fields": []`, Bulk `…in entity Account:--`).
    throw new WriteFailure('INVALID_FIELD', `Foreign key external ID: ${String(value)} not found for field ${extField.name} in entity ${target.name}`);
  }
  if (ids.length > 1) {
    throw new WriteFailure(
      'DUPLICATE_EXTERNAL_ID',
      `Foreign key external ID: ${String(value)} matches more than one record for field ${extField.name} in entity ${target.name}`,
      [rel.name],
    );
  }
  return ids[0] as string;
}
