/**
 * Terse builders for FieldDef, so object definitions read like a describe
 * summary instead of 25 properties per field.
 */
import type { FieldDef, FieldType, SfValue } from '../ports.js';

/** Options of {@link field}; every flag defaults to a plain, nillable, read/write field. */
export interface FieldOptions {
  label?: string;
  length?: number;
  precision?: number;
  scale?: number;
  required?: boolean;
  readOnly?: boolean;
  unique?: boolean;
  externalId?: boolean;
  idLookup?: boolean;
  formula?: string;
  defaultValue?: SfValue;
  defaultedOnCreate?: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  picklist?: string[];
  restricted?: boolean;
  compoundFieldName?: string;
  custom?: boolean;
}

/** Default lengths Salesforce uses for fixed-size text types. */
const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 255,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
  phone: 40,
  email: 80,
  url: 255,
  encryptedstring: 175,
};

/**
 * Turn `BillingPostalCode` into `Billing Postal Code` for labels; standard
 * lookups end in `ID` as Salesforce labels them (`AccountId` → `Account ID`,
 * which MALFORMED_ID messages quote).
 */
export function labelOf(name: string): string {
  const label = name
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2');
  return name.endsWith('__c') ? label : label.replace(/ Id$/, ' ID');
}

/** Build one field definition. Booleans are never nillable, as in Salesforce. */
export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  const readOnly = options.readOnly === true || options.formula !== undefined;
  const numeric = type === 'int' || type === 'double' || type === 'currency' || type === 'percent' || type === 'long';
  const isBool = type === 'boolean';
  return {
    name,
    label: options.label ?? labelOf(name),
    type,
    length: options.length ?? DEFAULT_LENGTH[type] ?? 0,
    precision: options.precision ?? (numeric ? (type === 'int' ? 9 : 18) : 0),
    scale: options.scale ?? (numeric && type !== 'int' ? 2 : 0),
    nillable: !(options.required === true || isBool),
    createable: !readOnly,
    updateable: !readOnly,
    unique: options.unique ?? false,
    externalId: options.externalId ?? false,
    idLookup: options.idLookup ?? (options.externalId === true || type === 'id'),
    calculated: options.formula !== undefined,
    calculatedFormula: options.formula ?? null,
    defaultedOnCreate: options.defaultedOnCreate ?? isBool,
    defaultValue: options.defaultValue ?? (isBool ? false : null),
    referenceTo: options.referenceTo ?? [],
    relationshipName: options.relationshipName ?? null,
    picklistValues: (options.picklist ?? []).map((value) => ({ value, label: value, active: true, defaultValue: false })),
    restrictedPicklist: options.restricted ?? false,
    compoundFieldName: options.compoundFieldName ?? null,
    custom: options.custom ?? name.endsWith('__c'),
  };
}

/** A lookup field: `ref('AccountId', 'Account')` gets relationship name `Account`. */
export function ref(name: string, target: string | string[], options: FieldOptions = {}): FieldDef {
  const relationshipName = name.endsWith('__c') ? name.replace(/__c$/, '__r') : name.replace(/Id$/, '');
  return field(name, 'reference', {
    relationshipName,
    ...options,
    referenceTo: Array.isArray(target) ? target : [target],
  });
}

/** The system fields every object carries: Id, IsDeleted and the audit fields. Salesforce's describe marks them all `nillable: false`. */
export function systemFields(): FieldDef[] {
  const audit = { readOnly: true, defaultedOnCreate: true, required: true };
  return [
    field('Id', 'id', { label: 'Record ID', readOnly: true, defaultedOnCreate: true, required: true }),
    field('IsDeleted', 'boolean', { label: 'Deleted', readOnly: true }),
    field('CreatedDate', 'datetime', audit),
    ref('CreatedById', 'User', { ...audit, relationshipName: 'CreatedBy' }),
    field('LastModifiedDate', 'datetime', audit),
    ref('LastModifiedById', 'User', { ...audit, relationshipName: 'LastModifiedBy' }),
    field('SystemModstamp', 'datetime', { ...audit, label: 'System Modstamp' }),
  ];
}

/** Street/City/State/PostalCode/Country components plus the read-only compound address field. */
export function addressFields(prefix: string): FieldDef[] {
  const compound = `${prefix}Address`;
  const part = (suffix: string, type: FieldType, length: number): FieldDef => field(`${prefix}${suffix}`, type, { length, compoundFieldName: compound });
  return [
    part('Street', 'textarea', 255),
    part('City', 'string', 40),
    part('State', 'string', 80),
    part('PostalCode', 'string', 20),
    part('Country', 'string', 80),
    field(compound, 'address', { readOnly: true }),
  ];
}
