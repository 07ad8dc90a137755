/**
 * Avro schemas of event payloads as the Pub/Sub API serves them
 * (docs/pubsub.md): a CDC schema per object (`AccountChangeEvent` in
 * namespace `com.sforce.eventbus`: `ChangeEventHeader` first, then every
 * record field as an optional value, compound address fields as nested
 * records) and a platform event schema per `X__e` (`CreatedDate`,
 * `CreatedById`, then its own fields). Field positions in these schemas are
 * what the CDC header's changedFields/nulledFields/diffFields bitmaps count.
 */
import type { FieldDef, ObjectDef } from '../ports.js';
import { isStreamableField } from '../streaming/stream-values.js';

/** An Avro schema as JSON (the shape `avsc` and GetSchema's `schema_json` use). */
export type AvroSchema = Record<string, unknown>;

/** Where one value of the payload comes from: a top-level field, or a compound field's components. */
export type EventFieldLayout =
  { kind: 'value'; name: string; field: FieldDef } | { kind: 'compound'; name: string; components: Array<{ name: string; field: FieldDef }> };

/** A payload schema and the field layout that fills it. */
export interface EventSchema {
  schema: AvroSchema;
  /** Payload fields after `ChangeEventHeader` (CDC) or all of them (platform events), in schema order. */
  layout: EventFieldLayout[];
  /** Index of `layout[0]` in the schema's fields (1 for CDC: the header is field 0). */
  offset: number;
}

/** Fields a CDC payload never carries (the record Id travels in the header's recordIds). */
const CDC_EXCLUDED = new Set(['Id', 'IsDeleted', 'SystemModstamp']);
/** Platform event fields the payload does not carry: they are the delivered event's id and replay id. */
const EVENT_EXCLUDED = new Set(['ReplayId', 'EventUuid']);

const NAMESPACE = 'com.sforce.eventbus';

const HEADER: AvroSchema = {
  type: 'record',
  name: 'ChangeEventHeader',
  namespace: NAMESPACE,
  fields: [
    { name: 'entityName', type: 'string' },
    { name: 'recordIds', type: { type: 'array', items: 'string' } },
    {
      name: 'changeType',
      type: {
        type: 'enum',
        name: 'ChangeType',
        namespace: NAMESPACE,
        symbols: ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE', 'GAP_CREATE', 'GAP_UPDATE', 'GAP_DELETE', 'GAP_UNDELETE', 'GAP_OVERFLOW', 'SNAPSHOT'],
      },
    },
    { name: 'changeOrigin', type: 'string' },
    { name: 'transactionKey', type: 'string' },
    { name: 'sequenceNumber', type: 'int' },
    { name: 'commitTimestamp', type: 'long' },
    { name: 'commitNumber', type: 'long' },
    { name: 'commitUser', type: 'string' },
    { name: 'nulledFields', type: { type: 'array', items: 'string' } },
    { name: 'diffFields', type: { type: 'array', items: 'string' } },
    { name: 'changedFields', type: { type: 'array', items: 'string' } },
  ],
};

/** The CDC schema of an object (`Foo__c` → record `Foo__ChangeEvent`). */
export function cdcSchema(object: ObjectDef): EventSchema {
  const layout = layoutOf(object, CDC_EXCLUDED);
  const base = object.name.endsWith('__c') ? object.name.slice(0, -1) : object.name;
  const fields = [{ name: 'ChangeEventHeader', type: HEADER, doc: 'Data:ChangeEventHeader' }, ...avroFields(layout)];
  return { schema: { type: 'record', name: `${base}ChangeEvent`, namespace: NAMESPACE, fields }, layout, offset: 1 };
}

/** The schema of a platform event object. */
export function platformEventSchema(object: ObjectDef): EventSchema {
  const own = layoutOf(object, EVENT_EXCLUDED);
  // CreatedDate and CreatedById lead, as on Salesforce.
  const first = (name: string) => own.filter((f) => f.name === name);
  const layout = [...first('CreatedDate'), ...first('CreatedById'), ...own.filter((f) => f.name !== 'CreatedDate' && f.name !== 'CreatedById')];
  return { schema: { type: 'record', name: object.name, namespace: NAMESPACE, fields: avroFields(layout) }, layout, offset: 0 };
}

function layoutOf(object: ObjectDef, excluded: Set<string>): EventFieldLayout[] {
  const layout: EventFieldLayout[] = [];
  for (const field of object.fields) {
    if (excluded.has(field.name) || field.calculated) continue;
    if (field.type === 'address') {
      const prefix = field.name.replace(/Address$/, '');
      const components = object.fields
        .filter((c) => c.compoundFieldName === field.name && isStreamableField(c))
        .map((c) => ({ name: c.name.startsWith(prefix) ? c.name.slice(prefix.length) : c.name, field: c }));
      if (components.length > 0) layout.push({ kind: 'compound', name: field.name, components });
      continue;
    }
    if (field.compoundFieldName !== null || !isStreamableField(field)) continue;
    layout.push({ kind: 'value', name: field.name, field });
  }
  return layout;
}

function avroFields(layout: EventFieldLayout[]): AvroSchema[] {
  // A named Avro type is defined once per schema; later compound fields with the same components refer to it by name.
  const defined = new Map<string, string>();
  return layout.map((entry) => {
    if (entry.kind === 'value') {
      return { name: entry.name, type: ['null', avroType(entry.field)], doc: `Data:${entry.field.type}`, default: null };
    }
    const shape = entry.components.map((c) => `${c.name}/${c.field.type}`).join(',');
    const known = defined.get(shape);
    const typeName = known ?? (defined.size === 0 ? 'Address' : `${entry.name}Value`);
    if (known === undefined) defined.set(shape, typeName);
    const type =
      known !== undefined
        ? `${NAMESPACE}.${known}`
        : {
            type: 'record',
            name: typeName,
            namespace: NAMESPACE,
            fields: entry.components.map((c) => ({ name: c.name, type: ['null', avroType(c.field)], default: null })),
          };
    return { name: entry.name, type: ['null', type], doc: 'Data:Address', default: null };
  });
}

/** Salesforce's Avro type of a field: dates and datetimes are epoch milliseconds (`long`), times milliseconds of the day. */
export function avroType(field: FieldDef): string {
  switch (field.type) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'int';
    case 'long':
    case 'date':
    case 'datetime':
    case 'time':
      return 'long';
    case 'double':
    case 'currency':
    case 'percent':
      return 'double';
    default:
      return 'string';
  }
}
