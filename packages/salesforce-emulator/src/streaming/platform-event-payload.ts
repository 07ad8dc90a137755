/**
 * Platform event payloads as CometD delivers them on `/event/X__e`:
 * `{schema, payload:{CreatedDate, CreatedById, …fields}, event:{replayId, EventUuid}}`.
 */
import type { ObjectDef, PlatformEventMessage, SfValue } from '../ports.js';
import { isoZ, schemaIdOf, toStreamingValue } from './stream-values.js';

/** The `data` of one delivered platform event. */
export interface PlatformEventData {
  schema: string;
  payload: Record<string, SfValue>;
  event: { replayId: number; EventUuid: string };
}

/** Build the delivered data of one platform event; `CreatedDate` defaults to `nowMs`. */
export function buildPlatformEventData(message: PlatformEventMessage, object: ObjectDef, replayId: number, nowMs: number): PlatformEventData {
  const payload: Record<string, SfValue> = { CreatedDate: isoZ(nowMs), CreatedById: null };
  for (const [name, value] of Object.entries(message.payload)) {
    payload[name] = toStreamingValue(lookupField(object, name), value);
  }
  return { schema: schemaIdOf(object), payload, event: { replayId, EventUuid: message.uuid } };
}

function lookupField(object: ObjectDef, name: string): ObjectDef['fields'][number] | undefined {
  return object.fields.find((field) => field.name === name);
}
