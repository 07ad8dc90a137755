/**
 * Whether a record change produces a PushTopic notification, and its payload
 * (docs/wire-notes.md, Streaming; Salesforce "Notifications" / "NotifyForFields"):
 * - the topic must be active, on the changed object, and notify for the operation;
 * - an update notifies only when a field selected by `NotifyForFields` changed
 *   (All: any field; Referenced: SELECT or WHERE fields; Select; Where);
 * - the record must match the WHERE clause (for deletes, as it was before the delete);
 * - `sobject` holds Id plus the SELECT fields; a delete carries only Id.
 */
import type { ChangeEvent, RecordSource, SfValue, StoredRecord } from '../ports.js';
import type { PushTopicInfo } from './pushtopic-registry.js';
import { isoZ, toStreamingValue } from './stream-values.js';

/** PushTopic event types by CDC change type. */
const TYPE_OF = { CREATE: 'created', UPDATE: 'updated', DELETE: 'deleted', UNDELETE: 'undeleted' } as const;

/** `event.type` of a PushTopic notification. */
export type PushTopicEventType = (typeof TYPE_OF)[keyof typeof TYPE_OF];

/** The `data` of one delivered PushTopic notification. */
export interface PushTopicEventData {
  event: { createdDate: string; replayId: number; type: PushTopicEventType };
  sobject: Record<string, SfValue>;
}

/** A notification before it is stamped with a replayId. */
export interface PushTopicNotification {
  type: PushTopicEventType;
  sobject: Record<string, SfValue>;
}

/** The notification `topic` produces for `change` of one record, or undefined. */
export function matchPushTopic(topic: PushTopicInfo, change: ChangeEvent, recordId: string, source: RecordSource): PushTopicNotification | undefined {
  const query = topic.query;
  if (!topic.isActive || query === undefined) return undefined;
  if (query.object.name.toLowerCase() !== change.object.toLowerCase()) return undefined;
  const type = TYPE_OF[change.changeType];
  if (type === undefined || !topic.notifyForOperation[type]) return undefined;
  if (type === 'updated' && !relevantFieldChanged(topic, change.changedFields)) return undefined;
  const stored: StoredRecord = {
    object: query.object.name,
    id: recordId,
    values: { ...change.record, Id: recordId },
    systemModstampMs: change.commitTimestamp,
    isDeleted: type === 'deleted',
  };
  if (!safeMatches(topic, stored, source)) return undefined;
  const sobject: Record<string, SfValue> = { Id: recordId };
  if (type !== 'deleted') {
    for (const field of query.selectFields) {
      sobject[field.name] = toStreamingValue(field, stored.values[field.name] ?? null);
    }
  }
  return { type, sobject };
}

/** Stamp a notification: `createdDate` ends in `Z` from API 37.0, `+0000` before. */
export function pushTopicData(notification: PushTopicNotification, topic: PushTopicInfo, replayId: number, nowMs: number): PushTopicEventData {
  const iso = isoZ(nowMs);
  const createdDate = topic.apiVersion >= 37 || topic.apiVersion === 0 ? iso : `${iso.slice(0, -1)}+0000`;
  return { event: { createdDate, replayId, type: notification.type }, sobject: notification.sobject };
}

function relevantFieldChanged(topic: PushTopicInfo, changedFields: readonly string[]): boolean {
  const query = topic.query;
  if (query === undefined) return false;
  const selected = (): Set<string> => new Set(query.selectFields.map((f) => f.name).filter((n) => n !== 'Id'));
  let watched: Set<string>;
  switch (topic.notifyForFields) {
    case 'All':
      return true;
    case 'Select':
      watched = selected();
      break;
    case 'Where':
      watched = query.whereFields;
      break;
    default:
      watched = new Set([...selected(), ...query.whereFields]);
  }
  return changedFields.some((name) => watched.has(name));
}

function safeMatches(topic: PushTopicInfo, record: StoredRecord, source: RecordSource): boolean {
  try {
    return topic.query?.filter.matches(record, source) ?? false;
  } catch {
    return false;
  }
}
