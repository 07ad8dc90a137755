/**
 * Retained streaming events (the CometD `data` that streaming/ logs, with
 * its replayId) → Pub/Sub payloads: Avro binary in the object's schema. CDC
 * payloads carry every field, null unless the change set it; the header's
 * name lists become bitmaps of schema positions (field-bitmap.ts), and
 * `nulledFields` names the changed fields that are now null.
 */
import type { SfValue } from '../ports.js';
import type { EventFieldLayout } from './avro-schema.js';
import type { CompiledSchema } from './event-schemas.js';
import { fieldBitmaps } from './field-bitmap.js';

interface LoggedData {
  payload: Record<string, unknown>;
  event: { replayId: number; EventUuid?: string };
}

interface CometdHeader {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changedFields: string[];
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
}

/** The object name of a retained CDC or platform event (`/data/ChangeEvents` mixes objects). */
export function entityOf(data: unknown): string | undefined {
  const header = (data as LoggedData).payload?.['ChangeEventHeader'] as CometdHeader | undefined;
  return header?.entityName;
}

/** Encode a retained event's data in `schema`. */
export function encodeEvent(schema: CompiledSchema, data: unknown): Buffer {
  const { payload } = data as LoggedData;
  const record: Record<string, unknown> = {};
  schema.layout.forEach((entry) => (record[entry.name] = valueOf(entry, payload)));
  const header = payload['ChangeEventHeader'] as CometdHeader | undefined;
  if (header !== undefined) record['ChangeEventHeader'] = avroHeader(schema, header, payload);
  return schema.type.toBuffer(record);
}

function avroHeader(schema: CompiledSchema, header: CometdHeader, payload: Record<string, unknown>): Record<string, unknown> {
  const changed = header.changedFields;
  const nulled = header.changeType === 'UPDATE' ? changed.filter((name) => payload[name] === undefined || payload[name] === null) : [];
  return {
    entityName: header.entityName,
    recordIds: header.recordIds,
    changeType: header.changeType,
    changeOrigin: header.changeOrigin,
    transactionKey: header.transactionKey,
    sequenceNumber: header.sequenceNumber,
    commitTimestamp: header.commitTimestamp,
    commitNumber: header.commitNumber,
    commitUser: header.commitUser,
    nulledFields: bitmapOf(schema, nulled),
    diffFields: [],
    changedFields: bitmapOf(schema, changed),
  };
}

/** Field names → the bitmap list over schema positions; names the schema lacks are left out. */
export function bitmapOf(schema: CompiledSchema, names: readonly string[]): string[] {
  const wanted = new Set(names);
  const top = new Set<number>();
  const nested = new Map<number, Set<number>>();
  schema.layout.forEach((entry, index) => {
    const position = schema.offset + index;
    if (entry.kind === 'value') {
      if (wanted.has(entry.name)) top.add(position);
      return;
    }
    const components = new Set<number>();
    entry.components.forEach((component, i) => {
      if (wanted.has(component.field.name)) components.add(i);
    });
    if (components.size > 0) nested.set(position, components);
  });
  return fieldBitmaps(top, nested);
}

function valueOf(entry: EventFieldLayout, payload: Record<string, unknown>): unknown {
  if (entry.kind === 'value') return toAvro(entry.field.type, payload[entry.name]);
  let any = false;
  const nested: Record<string, unknown> = {};
  for (const component of entry.components) {
    const value = toAvro(component.field.type, payload[component.field.name]);
    nested[component.name] = value;
    if (value !== null) any = true;
  }
  return any ? nested : null;
}

/** A streaming JSON value → its Avro form (dates and times to epoch ms, numbers to text for text fields). */
function toAvro(type: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'datetime':
      return typeof value === 'string' ? Date.parse(value.replace(/\+0000$/, 'Z')) : Number(value);
    case 'date':
      return typeof value === 'string' ? Date.parse(`${value}T00:00:00Z`) : Number(value);
    case 'time':
      return typeof value === 'string' ? Date.parse(`1970-01-01T${value.replace(/Z?$/, 'Z')}`) : Number(value);
    case 'boolean':
      return Boolean(value);
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return Number(value);
    default:
      return String(value as SfValue);
  }
}

/** A decoded Avro platform event → REST values to publish (CreatedDate/CreatedById are the server's). */
export function publishValues(schema: CompiledSchema, decoded: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const entry of schema.layout) {
    if (entry.kind !== 'value' || entry.name === 'CreatedDate' || entry.name === 'CreatedById') continue;
    const value = decoded[entry.name];
    if (value === null || value === undefined) continue;
    values[entry.name] = fromAvro(entry.field.type, value);
  }
  return values;
}

function fromAvro(type: string, value: unknown): unknown {
  const ms = typeof value === 'bigint' ? Number(value) : (value as number);
  if (type === 'datetime') return new Date(ms).toISOString();
  if (type === 'date') return new Date(ms).toISOString().slice(0, 10);
  if (type === 'time') return new Date(ms).toISOString().slice(11);
  return value;
}
