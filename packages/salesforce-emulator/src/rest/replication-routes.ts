/**
 * getUpdated and getDeleted (docs/wire-notes.md, Replication). Seconds are
 * truncated; `latestDateCovered` never passes a write still in flight (delayed commit),
 * so a client that resumes from it misses nothing. getDeleted's
 * `earliestDateAvailable` is the time of the object's last physically deleted
 * record (purged from the recycle bin, or hard-deleted), so a client whose last
 * sync point is before it knows it missed deletes and must re-sync.
 */
import { HttpError } from '../http.js';
import { formatDateTime, parseDateTime } from '../org/datetime.js';
import { requireObject } from './rest-errors.js';
import type { RestReply, RestRequest } from './rest-types.js';

const MINUTE = 60_000;
const DAY = 24 * 3600_000;
/** getUpdated reaches 30 days back; getDeleted 15 (the recycle bin). */
const UPDATED_WINDOW = 30 * DAY;
const DELETED_WINDOW = 15 * DAY;
/** More ids than this in one answer is EXCEEDED_ID_LIMIT. */
const MAX_IDS = 600_000;

function replicationError(message: string): HttpError {
  return HttpError.of(400, 'INVALID_REPLICATION_DATE', message);
}

function parseBound(req: RestRequest, name: 'start' | 'end'): number {
  // An unencoded `+00:00` arrives as ` 00:00` after form decoding.
  const raw = req.search.get(name)?.replace(' ', '+');
  const ms = raw === undefined ? undefined : parseDateTime(raw);
  if (ms === undefined) throw HttpError.of(400, 'MALFORMED_QUERY', `${name} must be a dateTime such as 2024-01-02T03:04:05+00:00`);
  return Math.floor(ms / MINUTE) * MINUTE;
}

function window(req: RestRequest, maxAge: number): { start: number; end: number; covered: number } {
  const start = parseBound(req, 'start');
  const end = parseBound(req, 'end');
  if (start >= end) throw replicationError('startDate must chronologically precede endDate by more than one minute');
  const now = Date.now();
  if (start < now - maxAge) throw replicationError(`startDate cannot be more than ${maxAge / DAY} days ago`);
  // Ids run up to `end` (or the oldest write still in flight); latestDateCovered is
  // floored to the minute, so resuming from it re-reads a little and misses nothing.
  const inFlight = req.org.oldestInFlightStamp();
  const scanEnd = inFlight === undefined ? end : Math.min(end, inFlight);
  const covered = Math.floor(Math.min(end, now, inFlight ?? end) / MINUTE) * MINUTE;
  return { start, end: scanEnd, covered: Math.max(start, covered) };
}

/** GET /sobjects/X/updated?start=&end= */
export function updated(req: RestRequest, [name]: string[]): RestReply {
  const object = requireObject(req.org, name);
  const { start, end, covered } = window(req, UPDATED_WINDOW);
  const ids: string[] = [];
  for (const row of req.org.records.scan(object.name, { includeDeleted: false, modstamp: { gte: start, lt: end } })) {
    ids.push(row.id);
    if (ids.length > MAX_IDS) throw HttpError.of(400, 'EXCEEDED_ID_LIMIT', 'Too many ids: narrow the start/end window.');
  }
  return { status: 200, body: { ids, latestDateCovered: formatDateTime(covered) } };
}

/** GET /sobjects/X/deleted?start=&end= */
export function deleted(req: RestRequest, [name]: string[]): RestReply {
  const object = requireObject(req.org, name);
  const { start, end, covered } = window(req, DELETED_WINDOW);
  const deletedRecords: Array<{ id: string; deletedDate: unknown }> = [];
  for (const row of req.org.records.scan(object.name, { includeDeleted: true, modstamp: { gte: start, lt: end } })) {
    if (!row.isDeleted) continue;
    deletedRecords.push({ id: row.id, deletedDate: row.values.SystemModstamp ?? null });
    if (deletedRecords.length > MAX_IDS) throw HttpError.of(400, 'EXCEEDED_ID_LIMIT', 'Too many ids: narrow the start/end window.');
  }
  const earliest = earliestDateAvailable(req, object.name);
  return {
    status: 200,
    body: { deletedRecords, earliestDateAvailable: formatDateTime(earliest), latestDateCovered: formatDateTime(covered) },
  };
}

/**
 * The recycle bin's horizon (15 days back), or the minute boundary just after
 * the object's last physically deleted record, whichever is later: strictly
 * after, so a sync point equal to that delete's own minute counts as before it.
 */
function earliestDateAvailable(req: RestRequest, object: string): number {
  const horizon = Math.floor((Date.now() - DELETED_WINDOW) / MINUTE) * MINUTE;
  const purged = req.org.lastPhysicalDelete(object);
  return purged === undefined ? horizon : Math.max(horizon, Math.floor(purged / MINUTE) * MINUTE + MINUTE);
}
