/** Mapped fields for unit tests. */
import type { FieldInfo } from '../../src/mapping/field-info.js';

/** A nillable, writable field stored in column `name` lower-cased, as text; `extra` sets any other property. */
export function fieldInfo(name: string, extra: Partial<FieldInfo> = {}): FieldInfo {
  return {
    name,
    column: name.toLowerCase(),
    type: 'string',
    pgType: 'text',
    length: 0,
    precision: 0,
    scale: 0,
    nillable: true,
    createable: true,
    updateable: true,
    externalId: false,
    calculated: false,
    referenceTo: [],
    relationshipName: null,
    ...extra,
  };
}
