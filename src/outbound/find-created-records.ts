/**
 * Before re-sending an insert whose earlier outcome is unknown (the process
 * died after the call, or the reply was lost) and which has no External ID to
 * upsert by, look for the record Salesforce may already have created:
 *
 *   SELECT Id, <sent fields> FROM <Object>
 *    WHERE CreatedDate >= <unknown_since − 5 min> [AND CreatedById = <API user>]
 *
 * A candidate matches when every sent field has the sent value, and no mapped
 * row already holds its Id (so two identical local rows claim two distinct
 * records); failing that, when it is the only one left with the sent value
 * of the object's name field (a record edited in Salesforce meanwhile). The 5-minute margin covers clock skew between Postgres and
 * Salesforce; the sent values make the match exact enough that an unrelated
 * record created by someone else in that window would have to carry the very
 * same field values to be mistaken — and then both rows describe one record.
 *
 * Deleted records are looked up too (queryAll): a record the lost call
 * created and Salesforce then deleted is the insert's record all the same.
 * Sending the insert again would create a copy that outlives the delete; the
 * push settles it with the deleted record's Id instead (write-back.ts).
 *
 * An upsert by External ID is not safe to retry either: Salesforce's upsert does
 * not match records in the recycle bin, so one whose first call created the
 * record that was deleted since creates another. {@link findUpserted} looks
 * such upserts up by their External ID value.
 */
import type pg from 'pg';
import type { SalesforceClient, SfRow } from '../salesforce/salesforce-client.js';
import { CLOCK_MARGIN_SECONDS, recognizingFields, sfidsOfOtherRecords } from '../outbox/outbox.js';
import { soqlDateTime, soqlString } from '../salesforce/soql-literals.js';
import { soqlChunks } from '../salesforce/query-chunks.js';
import type { FieldInfo } from '../mapping/field-info.js';
import type { PushMapping } from './claim.js';

const CLOCK_MARGIN_MS = CLOCK_MARGIN_SECONDS * 1000;

/**
 * How long after an insert's outcome became unknown a lookup that found
 * nothing is trusted. A call whose reply was lost may still be running on
 * Salesforce's side and commit after the lookup; re-sending then would create
 * the record twice. Until this much time has passed since the claim, the
 * insert is retried with back-off (state new, error OUTCOME_UNKNOWN) and
 * looked up again each time, never sent.
 * 10 s: several times what a create call takes (the soak's late commits
 * hold one for 1.5 s, the engine test's for 3 s), short enough that an insert
 * that never reached Salesforce is sent again within about 15 s (the lookups
 * follow the push back-off: 1, 2, 4, 8 s).
 */
export const UNKNOWN_OUTCOME_SETTLE_MS = 10_000;

/** One insert to look up: its record id, the body that was sent, and since when its outcome is unknown. */
export interface LookupRequest {
  recordId: string;
  body: SfRow;
  since: Date;
}

/** The record an earlier attempt created: its Id, and whether Salesforce has deleted it since (it is in the recycle bin). */
export interface CreatedRecord {
  sfid: string;
  deleted: boolean;
}

/** Record id → the record an earlier attempt created. */
export async function findCreated(
  client: SalesforceClient,
  db: pg.ClientBase,
  mapping: PushMapping,
  requests: LookupRequest[],
): Promise<Map<string, CreatedRecord>> {
  const found = new Map<string, CreatedRecord>();
  if (requests.length === 0) return found;
  const fields = [...new Set(requests.flatMap((r) => Object.keys(r.body)))];
  const soql = `SELECT ${['Id', 'IsDeleted', ...fields.filter((f) => f !== 'Id' && f !== 'IsDeleted')].join(', ')} FROM ${mapping.sobject} WHERE ${createdSince(client, requests)} ORDER BY CreatedDate`;
  const candidates: SfRow[] = [];
  for await (const page of client.queryPages(soql, { includeDeleted: true })) candidates.push(...page);
  const taken = await takenSfids(db, mapping, candidates, requests);
  for (const request of requests) {
    const match = candidates.find((c) => !taken.has(String(c.Id)) && Object.entries(request.body).every(([k, v]) => same(v, c[k])));
    if (match) {
      taken.add(String(match.Id));
      found.set(request.recordId, created(match));
    }
  }
  matchByName(
    mapping,
    requests.filter((r) => !found.has(r.recordId)),
    candidates.filter((c) => !taken.has(String(c.Id))),
    found,
  );
  return found;
}

/**
 * The second test, for a record changed in Salesforce before its Id came back
 * (a user's edit, or automation rewriting a sent value): the one candidate
 * left with the name field's sent value, when exactly one request left sent
 * that value. Ambiguous names adopt nothing (the insert is sent again).
 * The inbound apply holds back records on the same test (apply-sql.ts).
 */
function matchByName(mapping: PushMapping, requests: LookupRequest[], candidates: SfRow[], found: Map<string, CreatedRecord>): void {
  const [nameField] = recognizingFields(mapping.fieldInfo).filter((f) => f.nameField);
  if (!nameField) return;
  for (const request of requests) {
    const sent = request.body[nameField.name];
    if (sent === undefined || sent === null) continue;
    const alike = candidates.filter((c) => same(sent, c[nameField.name]));
    const rivals = requests.filter((r) => same(sent, r.body[nameField.name]));
    if (alike.length === 1 && rivals.length === 1) found.set(request.recordId, created(alike[0]!));
  }
}

/** Values per query at most: 200 keep the SOQL far below Salesforce's 100,000-character limit; fewer when they are long (an External ID holds up to 255 characters: query-chunks.ts). */
const VALUES_PER_QUERY = 200;

/**
 * Upserts whose earlier outcome is unknown, by their External ID value
 * (`request.body[externalIdField]`): record id → the record with that value
 * created since the claim (less the clock margin), deleted ones included.
 * A live one is returned as such (the upsert matches it: sending it again
 * creates nothing); a deleted one only when no live one has the value. The
 * creation bound keeps an older record of the same value, deleted long
 * before this insert, from being taken for it.
 */
export async function findUpserted(
  client: SalesforceClient,
  db: pg.ClientBase,
  mapping: PushMapping,
  requests: LookupRequest[],
): Promise<Map<string, CreatedRecord>> {
  const found = new Map<string, CreatedRecord>();
  const ext = mapping.externalIdField;
  const field = mapping.fieldInfo.find((f) => f.name === ext);
  if (requests.length === 0 || !ext || !field) return found;
  const records: SfRow[] = [];
  const byValue = (some: readonly LookupRequest[]) => {
    const values = [...new Set(some.map((r) => soqlValue(field, r.body[ext])))].join(', ');
    return `SELECT Id, IsDeleted, ${ext} FROM ${mapping.sobject} WHERE ${ext} IN (${values}) AND ${createdSince(client, some)} ORDER BY CreatedDate`;
  };
  for (const { soql } of soqlChunks(requests, byValue, VALUES_PER_QUERY)) {
    for await (const page of client.queryPages(soql, { includeDeleted: true })) records.push(...page);
  }
  const taken = await takenSfids(db, mapping, records, requests);
  for (const request of requests) {
    const alike = records.filter((r) => sameExternalId(request.body[ext], r[ext]) && (r.IsDeleted !== true || !taken.has(String(r.Id))));
    // The latest deleted one: a record deleted, then upserted again and deleted again has two.
    const record = alike.find((r) => r.IsDeleted !== true) ?? alike.at(-1);
    if (record) found.set(request.recordId, created(record));
  }
  return found;
}

/**
 * Ids of these records that another row holds, or (deleted ones) that changes
 * of another record carried: a row synced, deleted (so Salesforce deleted its
 * record), and inserted again with the same values would otherwise take the
 * first row's deleted record for its own and be deleted too.
 */
async function takenSfids(db: pg.ClientBase, mapping: PushMapping, records: SfRow[], requests: LookupRequest[]): Promise<Set<string>> {
  const ids = records.map((c) => String(c.Id));
  const { rows } = await db.query<{ sfid: string }>(`select sfid from ${mapping.table} where sfid = any($1::text[])`, [ids]);
  const deleted = records.filter((c) => c.IsDeleted === true).map((c) => String(c.Id));
  const elsewhere = await sfidsOfOtherRecords(
    db,
    mapping.id,
    deleted,
    requests.map((r) => r.recordId),
  );
  return new Set([...rows.map((r) => r.sfid), ...elsewhere]);
}

/** `CreatedDate >= <earliest unknown_since − margin> [AND CreatedById = <API user>]`. */
function createdSince(client: SalesforceClient, requests: readonly LookupRequest[]): string {
  const since = new Date(Math.min(...requests.map((r) => r.since.getTime())) - CLOCK_MARGIN_MS);
  const userId = (client as { conn?: { userInfo?: { id?: string } } }).conn?.userInfo?.id;
  return `CreatedDate >= ${soqlDateTime(since)}${userId ? ` AND CreatedById = ${soqlString(userId)}` : ''}`;
}

function created(record: SfRow): CreatedRecord {
  return { sfid: String(record.Id), deleted: record.IsDeleted === true };
}

/** An External ID value as a SOQL literal: numbers unquoted, anything else an escaped string. */
function soqlValue(field: FieldInfo, value: unknown): string {
  return ['double', 'int', 'long', 'currency', 'percent'].includes(field.type) ? String(Number(value)) : soqlString(String(value));
}

/** Salesforce matches External ID text case-insensitively (and a number as a number). */
function sameExternalId(sent: unknown, stored: unknown): boolean {
  if (typeof sent === 'number' || typeof stored === 'number') return Number(sent) === Number(stored);
  return String(sent).toLowerCase() === String(stored).toLowerCase();
}

function same(sent: unknown, stored: unknown): boolean {
  if (sent === null || sent === undefined) return stored === null || stored === undefined;
  if (typeof sent === 'number' || typeof stored === 'number') return Number(sent) === Number(stored);
  if (typeof sent === 'string' && typeof stored === 'string' && /^\d{4}-\d\d-\d\dT/.test(sent))
    return Date.parse(sent) === Date.parse(stored.replace(/\+0000$/, 'Z'));
  return sent === stored;
}
