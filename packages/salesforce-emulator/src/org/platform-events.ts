/**
 * Platform event publishing (`POST /sobjects/X__e`): events are validated like
 * a create, never stored, and handed to streaming with a fresh EventUuid.
 */
import { randomUUID } from 'node:crypto';
import type { PlatformEventMessage, SfRecord, WriteContext, WriteResult } from '../ports.js';
import { coerceValue } from './coerce-value.js';
import { formatDateTime } from './datetime.js';
import { to18 } from './ids.js';
import type { Schema } from './schema.js';
import { WriteFailure } from './write-failure.js';

let eventCounter = 0;

/** Validate and publish one platform event; the result carries the event's pseudo Id as Salesforce's does. */
export function publishPlatformEvent(
  schema: Schema,
  objectName: string,
  payload: Record<string, unknown>,
  ctx: WriteContext,
  emit: (message: PlatformEventMessage) => void,
): WriteResult {
  const object = schema.getObject(objectName);
  if (object === undefined || !object.isPlatformEvent) {
    return { success: false, errors: [{ statusCode: 'INVALID_TYPE', message: `sObject type '${objectName}' is not a platform event.`, fields: [] }] };
  }
  try {
    const values: SfRecord = {};
    for (const [key, raw] of Object.entries(payload)) {
      if (key === 'attributes') continue;
      const field = schema.getField(object, key);
      if (field === undefined) throw new WriteFailure('INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`, [key]);
      if (!field.createable) throw new WriteFailure('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${field.name}.`, [field.name]);
      values[field.name] = coerceValue(field, raw);
    }
    const missing = object.fields.filter((f) => !f.nillable && f.createable && f.type !== 'boolean' && values[f.name] == null);
    if (missing.length > 0) {
      const names = missing.map((f) => f.name);
      throw new WriteFailure('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
    }
    const uuid = randomUUID();
    const full: SfRecord = { CreatedDate: formatDateTime(Date.now()), CreatedById: ctx.userId, ...values };
    emit({ object: object.name, payload: full, uuid });
    // Salesforce answers with an Id-shaped handle `e00…` that cannot be read back.
    return { success: true, id: to18(`e00${String(++eventCounter).padStart(12, '0')}`) };
  } catch (error) {
    if (error instanceof WriteFailure) return { success: false, errors: error.errors };
    throw error;
  }
}
