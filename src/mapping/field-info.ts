/**
 * `FieldInfo`: what describe said about one mapped field, as stored in
 * `sfsync.mappings.field_info` (one element per mapped field), and the
 * Salesforce → Postgres type rule (docs/mapped-tables.md; Heroku Connect's choices).
 */
import type { DescribedField } from '../salesforce/salesforce-client.js';

/** The describe properties a mapping keeps per field (same names and meaning as describe's). */
type DescribedPart = Pick<
  DescribedField,
  | 'name'
  | 'type'
  | 'length'
  | 'precision'
  | 'scale'
  | 'nillable'
  | 'createable'
  | 'updateable'
  | 'externalId'
  | 'calculated'
  | 'referenceTo'
  | 'relationshipName'
>;

/** One mapped field as stored in `sfsync.mappings.field_info`: describe's properties plus where it lives in Postgres. */
export interface FieldInfo extends DescribedPart {
  /** Column name: lower-cased API name, e.g. `name`. */
  column: string;
  /** Postgres column type, e.g. `varchar(255)`. */
  pgType: string;
  /** Set by `refreshFieldInfo` when Salesforce no longer has the field: the column stays, nothing is sent. */
  removed?: boolean;
  /** The object's name field (describe's `nameField`); set only when true. Mappings applied before it was kept lack it. */
  nameField?: boolean;
}

/** Fields every mapped table has as fixed columns; never listed in field_info. */
export const IMPLICIT_FIELDS: ReadonlyMap<string, string> = new Map([
  ['id', 'sfid'],
  ['systemmodstamp', 'systemmodstamp'],
  ['isdeleted', 'isdeleted'],
  ['createddate', 'createddate'],
]);

/** Fields Salesforce is asked for: the fixed ones, then every mapped field still present. */
export function selectFields(fields: readonly FieldInfo[]): string[] {
  const mapped = fields.filter((f) => !f.removed).map((f) => f.name);
  const fixed = ['Id', 'SystemModstamp', 'IsDeleted', 'CreatedDate'];
  return [...fixed, ...mapped.filter((n) => !fixed.some((f) => f.toLowerCase() === n.toLowerCase()))];
}

/**
 * The Postgres type of a Salesforce field (docs/mapped-tables.md): id/reference → varchar(18),
 * string(n) → varchar(n), long textarea → text, numbers → double precision
 * (numeric(p, s) when `exactNumbers`), datetime → timestamp(3) (UTC, ms kept).
 */
export function pgTypeFor(field: Pick<DescribedField, 'type' | 'length' | 'precision' | 'scale'>, exactNumbers = false): string {
  switch (field.type) {
    case 'id':
    case 'reference':
      return 'varchar(18)';
    case 'string':
    case 'encryptedstring':
    case 'combobox':
      return `varchar(${Math.max(field.length, 1)})`;
    case 'textarea':
      return field.length > 255 ? 'text' : 'varchar(255)';
    case 'picklist':
    case 'url':
      return 'varchar(255)';
    case 'multipicklist':
      return 'varchar(4099)';
    case 'email':
      return 'varchar(80)';
    case 'phone':
      return 'varchar(40)';
    case 'int':
      return 'integer';
    case 'long':
      return 'bigint';
    case 'double':
    case 'currency':
    case 'percent':
      return exactNumbers && field.precision > 0 ? `numeric(${field.precision}, ${field.scale})` : 'double precision';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamp(3)';
    case 'time':
      return 'time(3)';
    default:
      return 'text';
  }
}

/** The stored FieldInfo of a described field. */
export function toFieldInfo(field: DescribedField): FieldInfo {
  return {
    name: field.name,
    column: field.name.toLowerCase(),
    type: field.type,
    pgType: pgTypeFor(field),
    length: field.length,
    precision: field.precision,
    scale: field.scale,
    nillable: field.nillable,
    createable: field.createable,
    updateable: field.updateable,
    externalId: field.externalId,
    calculated: field.calculated,
    referenceTo: [...field.referenceTo],
    relationshipName: field.relationshipName,
    ...(field.nameField ? { nameField: true } : {}),
  };
}

/** Fields the capture trigger records: those sfsync can write (createable or updateable, not removed). */
export function writableFields(fields: readonly FieldInfo[]): FieldInfo[] {
  return fields.filter((f) => !f.removed && !f.calculated && (f.createable || f.updateable));
}
