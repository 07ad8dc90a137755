/**
 * A stored record as REST returns it: `attributes`, every field (nulls
 * included), formula fields computed now, compound addresses assembled.
 */
import type { FieldDef, ObjectDef, StoredRecord } from '../ports.js';
import type { Org } from '../org/org.js';
import { dataPath } from './rest-types.js';

/** `{type, url}` of a record. */
export function attributesOf(apiVersion: string, object: string, id: string): { type: string; url: string } {
  return { type: object, url: `${dataPath({ apiVersion })}/sobjects/${object}/${id}` };
}

/** Render a record; with `fields`, only those (canonical names, any case accepted). */
export function renderRecord(org: Org, apiVersion: string, record: StoredRecord, fields?: FieldDef[]): Record<string, unknown> {
  const object = org.schema.getObject(record.object) as ObjectDef;
  const out: Record<string, unknown> = { attributes: attributesOf(apiVersion, object.name, record.id) };
  for (const f of fields ?? object.fields) out[f.name] = fieldValue(org, record, object, f);
  return out;
}

function fieldValue(org: Org, record: StoredRecord, object: ObjectDef, f: FieldDef): unknown {
  if (f.calculated) return org.records.formula(record, f);
  if (f.type === 'address') return addressValue(record, object, f);
  return record.values[f.name] ?? null;
}

function addressValue(record: StoredRecord, object: ObjectDef, f: FieldDef): unknown {
  const parts = object.fields.filter((c) => c.compoundFieldName === f.name);
  const prefix = f.name.replace(/Address$/, '');
  const out: Record<string, unknown> = {};
  let any = false;
  for (const c of parts) {
    const key = c.name.slice(prefix.length);
    const value = record.values[c.name] ?? null;
    out[key.charAt(0).toLowerCase() + key.slice(1)] = value;
    if (value !== null) any = true;
  }
  if (!any) return null;
  return { ...out, geocodeAccuracy: null, latitude: null, longitude: null };
}
