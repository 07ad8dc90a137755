/**
 * Value forms in streaming payloads. REST renders datetimes as
 * `2024-01-02T03:04:05.000+0000`; streaming (CDC, platform events, PushTopic
 * from API 37.0) uses `2024-01-02T03:04:05.000Z`.
 */
import { createHash } from 'node:crypto';
import type { FieldDef, ObjectDef, SfValue } from '../ports.js';

/** Epoch ms → `2024-01-02T03:04:05.000Z`. */
export function isoZ(ms: number): string {
  return new Date(ms).toISOString();
}

const REST_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

/**
 * REST datetime (`…+0000`) → streaming form (`…Z`); other values unchanged.
 * Without a field definition (e.g. a platform event's `CreatedDate`), any value
 * in the exact REST datetime form is converted.
 */
export function toStreamingValue(field: FieldDef | undefined, value: SfValue): SfValue {
  const isDatetime = field === undefined ? typeof value === 'string' && REST_DATETIME.test(value) : field.type === 'datetime';
  if (isDatetime && typeof value === 'string' && value.endsWith('+0000')) {
    return `${value.slice(0, -5)}Z`;
  }
  return value;
}

/** Fields that never appear in streaming payloads (compound fields have no flat value). */
export function isStreamableField(field: FieldDef): boolean {
  return field.type !== 'address' && field.type !== 'location' && !field.calculated;
}

/**
 * A stable 22-character schema id for an object's event shape, like the
 * `schema` key Salesforce sends (`I8b-dYxvxs5wOtCBr4qsew`); it changes when the
 * object's fields change.
 */
export function schemaIdOf(object: ObjectDef): string {
  // Hashing per event cost ~2 s per 300k writes; fields are only ever appended, so the count keys the cache.
  const cached = schemaIds.get(object);
  if (cached !== undefined && cached.fieldCount === object.fields.length) return cached.id;
  const shape = `${object.name}:${object.fields.map((f) => `${f.name}/${f.type}`).join(',')}`;
  const id = createHash('md5').update(shape).digest('base64url').slice(0, 22);
  schemaIds.set(object, { fieldCount: object.fields.length, id });
  return id;
}

const schemaIds = new WeakMap<ObjectDef, { fieldCount: number; id: string }>();
