/**
 * Change Data Capture event payloads as CometD delivers them
 * (docs/wire-notes.md, Streaming): CREATE and UNDELETE every non-empty field, UPDATE the changed fields (one set
 * to null as null; Change Data Capture Developer Guide, "Change Event Body Fields", JSON messages), DELETE none;
 * never `IsDeleted` or `SystemModstamp`, and a
 * `ChangeEventHeader` describing the change.
 */
import type { ChangeEvent, ObjectDef, SfValue } from '../ports.js';
import { isStreamableField, schemaIdOf, toStreamingValue } from './stream-values.js';

/** Fields CDC never sends: the record Id is in `recordIds`. */
const NEVER_SENT = new Set(['Id', 'IsDeleted', 'SystemModstamp']);

/** The `ChangeEventHeader` of a CDC payload. */
export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: ChangeEvent['changeType'];
  /** Names of changed fields; empty except for UPDATE, as over CometD. */
  changedFields: string[];
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
}

/** The `data` of one delivered CDC message. */
export interface CdcEventData {
  schema: string;
  payload: Record<string, SfValue | ChangeEventHeader>;
  event: { replayId: number };
}

/** Numbers the header needs that the org does not supply. */
export interface CdcStamp {
  replayId: number;
  /** Position of this change within its transaction, from 1. */
  sequenceNumber: number;
  /** An org-wide increasing commit number. */
  commitNumber: number;
}

/** Build the delivered data of one change event. */
export function buildCdcData(change: ChangeEvent, object: ObjectDef, stamp: CdcStamp): CdcEventData {
  const changedFields = change.changeType === 'UPDATE' ? change.changedFields.filter((name) => !NEVER_SENT.has(name)) : [];
  const payload: Record<string, SfValue | ChangeEventHeader> = {};
  if (change.changeType !== 'DELETE') {
    const include = change.changeType === 'UPDATE' ? new Set(changedFields) : undefined;
    for (const field of object.fields) {
      if (NEVER_SENT.has(field.name) || !isStreamableField(field)) continue;
      if (include !== undefined && !include.has(field.name)) continue;
      const value = change.record[field.name];
      if (value === undefined) continue;
      // An UPDATE carries a field set to null as null; CREATE and UNDELETE leave empty fields out.
      if (value === null) {
        if (include !== undefined) payload[field.name] = null;
        continue;
      }
      payload[field.name] = toStreamingValue(field, value);
    }
  }
  payload['ChangeEventHeader'] = {
    entityName: object.name,
    recordIds: [...change.recordIds],
    changeType: change.changeType,
    changedFields,
    changeOrigin: change.changeOrigin,
    transactionKey: change.transactionKey,
    sequenceNumber: stamp.sequenceNumber,
    commitTimestamp: change.commitTimestamp,
    commitNumber: stamp.commitNumber,
    commitUser: change.commitUser,
  };
  return { schema: schemaIdOf(object), payload, event: { replayId: stamp.replayId } };
}
