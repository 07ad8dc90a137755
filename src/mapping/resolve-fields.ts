/**
 * Check a mapping's fields against describe and turn them into FieldInfo:
 * unknown fields fail naming the field and the object; Id, SystemModstamp,
 * IsDeleted and CreatedDate are implicit (fixed columns); address/location
 * compounds become their component fields; base64 is skipped unless asked.
 */
import { SfsyncError } from '../errors.js';
import type { DescribedObject } from '../salesforce/salesforce-client.js';
import { IMPLICIT_FIELDS, toFieldInfo, type FieldInfo } from './field-info.js';

/** Options of {@link resolveFields}. */
export interface ResolveFieldsOptions {
  /** Keep base64 fields (default false: bodies up to 37 MB do not belong in a sync). */
  includeBase64?: boolean;
}

/** The FieldInfo of every requested field, in request order, compounds expanded, duplicates removed. */
export function resolveFields(described: DescribedObject, requested: readonly string[], options: ResolveFieldsOptions = {}): FieldInfo[] {
  const byName = new Map(described.fields.map((f) => [f.name.toLowerCase(), f]));
  const out = new Map<string, FieldInfo>();
  for (const name of requested) {
    const key = name.toLowerCase();
    if (IMPLICIT_FIELDS.has(key)) continue;
    const field = byName.get(key);
    if (field === undefined) {
      throw new SfsyncError(
        'MAPPING_UNKNOWN_FIELD',
        `${described.name} has no field ${name}; check the spelling (API name, e.g. Custom__c) or remove it from the mapping.`,
      );
    }
    if (field.type === 'address' || field.type === 'location') {
      for (const part of described.fields) {
        if (part.compoundFieldName === field.name && !IMPLICIT_FIELDS.has(part.name.toLowerCase())) out.set(part.name.toLowerCase(), toFieldInfo(part));
      }
      continue;
    }
    if (field.type === 'base64' && !options.includeBase64) continue;
    out.set(key, toFieldInfo(field));
  }
  for (const info of out.values()) {
    if (Buffer.byteLength(info.column) > 63) {
      throw new SfsyncError(
        'MAPPING_INVALID',
        `The column for ${described.name}.${info.name} would be longer than 63 bytes; remove the field from the mapping.`,
      );
    }
  }
  return [...out.values()];
}

/** Check that `field` is an External ID field of the object; returns its API name as Salesforce spells it. */
export function resolveExternalId(described: DescribedObject, field: string): string {
  const match = described.fields.find((f) => f.name.toLowerCase() === field.toLowerCase());
  if (match === undefined) {
    throw new SfsyncError(
      'MAPPING_UNKNOWN_FIELD',
      `${described.name} has no field ${field} for externalIdField; name an External ID field of ${described.name}.`,
    );
  }
  if (!match.externalId) {
    throw new SfsyncError(
      'MAPPING_INVALID',
      `${described.name}.${match.name} is not an External ID field; mark it External ID in Salesforce or choose another externalIdField.`,
    );
  }
  return match.name;
}
