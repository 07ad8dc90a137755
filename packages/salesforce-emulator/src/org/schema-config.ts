/**
 * Custom objects and fields from JSON config, e.g.
 * `{"objects":[{"name":"Invoice__c","fields":[{"name":"Amount__c","type":"currency","required":true}]}],
 *   "fields":{"Account":[{"name":"Tier__c","type":"picklist","picklist":["Gold","Silver"],"restricted":true}]}}`.
 */
import type { FieldDef, FieldType, ObjectDef, SfValue, ValidationRule } from '../ports.js';
import { field, labelOf } from './field-builders.js';
import { objectDef } from './standard-objects.js';

/** One custom field as written in config. */
export interface CustomFieldConfig {
  name: string;
  type: FieldType;
  label?: string;
  length?: number;
  precision?: number;
  scale?: number;
  required?: boolean;
  unique?: boolean;
  externalId?: boolean;
  /** Target object(s) of a reference field. */
  referenceTo?: string | string[];
  /** Defaults to the name with `__c` → `__r`. */
  relationshipName?: string;
  picklist?: string[];
  restricted?: boolean;
  /** A formula (see org/formula.ts): makes the field calculated and read-only. */
  formula?: string;
  defaultValue?: SfValue;
}

/** One custom object (`X__c`) or platform event (`X__e`). */
export interface CustomObjectConfig {
  name: string;
  label?: string;
  labelPlural?: string;
  /** Three characters; default: the next free `a00`, `a01`, … (`e00`… for platform events). */
  keyPrefix?: string;
  fields?: CustomFieldConfig[];
  validationRules?: ValidationRule[];
  /** Change Data Capture enabled (default true for custom objects). */
  cdcEnabled?: boolean;
}

/** The whole schema config: new objects plus extra fields (and rules) on existing ones. */
export interface SchemaConfig {
  objects?: CustomObjectConfig[];
  fields?: Record<string, CustomFieldConfig[]>;
  validationRules?: Record<string, ValidationRule[]>;
}

/** Build a FieldDef from config. */
export function customField(config: CustomFieldConfig): FieldDef {
  const { referenceTo } = config;
  const targets = referenceTo === undefined ? [] : Array.isArray(referenceTo) ? referenceTo : [referenceTo];
  return field(config.name, config.type, {
    ...(config.label !== undefined ? { label: config.label } : {}),
    ...(config.length !== undefined ? { length: config.length } : {}),
    ...(config.precision !== undefined ? { precision: config.precision } : {}),
    ...(config.scale !== undefined ? { scale: config.scale } : {}),
    ...(config.formula !== undefined ? { formula: config.formula } : {}),
    ...(config.defaultValue !== undefined ? { defaultValue: config.defaultValue, defaultedOnCreate: true } : {}),
    required: config.required ?? false,
    unique: config.unique ?? false,
    externalId: config.externalId ?? false,
    referenceTo: targets,
    ...(config.type === 'reference' ? { relationshipName: config.relationshipName ?? config.name.replace(/__c$/, '__r') } : {}),
    picklist: config.picklist ?? [],
    restricted: config.restricted ?? false,
    custom: true,
  });
}

/** Build a custom object or platform event definition; `prefix` is used when config has none. */
export function customObject(config: CustomObjectConfig, prefix: string): ObjectDef {
  const isPlatformEvent = config.name.endsWith('__e');
  const label = config.label ?? labelOf(config.name.replace(/__e$/, ''));
  const fields = (config.fields ?? []).map(customField);
  const all = isPlatformEvent
    ? [...platformEventFields(), ...fields]
    : [
        field('Name', 'string', { length: 80, label: `${label} Name` }),
        field('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner', defaultedOnCreate: true }),
        ...fields.filter((f) => f.name !== 'Name'),
      ];
  return objectDef(config.name, config.keyPrefix ?? prefix, all, {
    label,
    labelPlural: config.labelPlural ?? `${label}s`,
    custom: true,
    cdcEnabled: !isPlatformEvent && (config.cdcEnabled ?? true),
    isPlatformEvent,
    validationRules: config.validationRules ?? [],
  });
}

function platformEventFields(): FieldDef[] {
  return [
    field('ReplayId', 'string', { readOnly: true }),
    field('CreatedDate', 'datetime', { readOnly: true, defaultedOnCreate: true }),
    field('CreatedById', 'reference', { readOnly: true, referenceTo: ['User'], relationshipName: 'CreatedBy' }),
    field('EventUuid', 'string', { length: 36, readOnly: true }),
  ];
}
