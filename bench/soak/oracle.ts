/**
 * The oracle: given the ledger (what the two apps did) and a snapshot (what
 * each side holds), is the sync right? For every tag:
 * - created and not deleted → exactly one live record on each side (0 = lost,
 *   >1 = dup), the table row's sfid is that record's Id, and every mapped
 *   field holds the same value (AccountId ↔ accountid compared as sfids);
 * - deleted (on either side) → on neither side;
 * - unknown to the ledger → a mismatch (something made a record nobody asked for).
 * Also: no row without an sfid, no open outbox change, and failed changes only
 * where Salesforce rightly refuses (ENTITY_IS_DELETED of a record that is
 * deleted in Salesforce); those three make up "unsent".
 */
import type { EmulatorRecord } from './emulator-control.js';
import { objectOfTag, type Ledger, type SoakObject } from './ledger.js';
import { TABLES } from './record-pool.js';
import { COMPARED_FIELDS, type PgRow, type Snapshot } from './snapshot.js';

/** Error codes with which Salesforce rightly refuses a change in this workload. */
export const RIGHTFUL_CODES = new Set(['ENTITY_IS_DELETED']);

/** One thing wrong, with both sides' records. */
export interface Offender {
  kind: 'lost' | 'dup' | 'mismatch' | 'unsent';
  object: SoakObject;
  tag: string;
  detail: string;
  pg: PgRow[];
  sf: EmulatorRecord[];
}

/** The verdict on one snapshot. */
export interface OracleReport {
  lost: number;
  dup: number;
  mismatch: number;
  unsent: number;
  /** Failed changes by error code, split into rightful refusals and wrong ones. */
  failedByCode: Map<string, { rightful: number; wrong: number }>;
  offenders: Offender[];
  /** Live records per side, for the summary. */
  live: { pg: number; sf: number };
}

/** Whether a report is clean. */
export function isClean(r: OracleReport): boolean {
  return r.lost === 0 && r.dup === 0 && r.mismatch === 0 && r.unsent === 0;
}

/** Judge one snapshot. */
export function judge(ledger: Ledger, snap: Snapshot): OracleReport {
  const report: OracleReport = { lost: 0, dup: 0, mismatch: 0, unsent: 0, failedByCode: new Map(), offenders: [], live: { pg: 0, sf: 0 } };
  const add = (o: Offender) => {
    report[o.kind]++;
    report.offenders.push(o);
  };
  for (const object of ['Account', 'Contact'] as const) judgeObject(ledger, snap, object, add, report);
  judgeOutbox(snap, add, report);
  return report;
}

function judgeObject(ledger: Ledger, snap: Snapshot, object: SoakObject, add: (o: Offender) => void, report: OracleReport): void {
  const tagField = TABLES[object].tagField;
  const pgByTag = groupBy(snap.pg[object], (r) => r.tag);
  const sfLive = snap.sf[object].filter((r) => !r.IsDeleted);
  const sfByTag = groupBy(sfLive, (r) => String(r[tagField]));
  report.live.pg += snap.pg[object].length;
  report.live.sf += sfLive.length;
  const tags = new Set([...pgByTag.keys(), ...sfByTag.keys()]);
  for (const entry of ledger.entries.values()) if (entry.object === object && entry.created === 'yes') tags.add(entry.tag);
  for (const tag of tags) {
    const pg = pgByTag.get(tag) ?? [];
    const sf = sfByTag.get(tag) ?? [];
    const entry = ledger.entries.get(tag);
    const offender = (kind: Offender['kind'], detail: string) => add({ kind, object, tag, detail, pg, sf });
    if (!entry || entry.created === 'no' || objectOfTag(tag) !== object) {
      offender('mismatch', `a record the workload never created (${entry ? 'its create was refused' : 'unknown tag'})`);
    } else if (entry.deleted) {
      if (pg.length + sf.length > 0) judgeDeleted(entry.deletedIds, pg, sf, offender);
    } else if (entry.created === 'yes' || pg.length + sf.length > 0) {
      judgeLive(object, pg, sf, entry.createdIds, offender);
    }
    for (const row of pg) if (row.sfid === null) offender('unsent', 'table row without an sfid');
  }
}

/** One live record expected on each side. */
function judgeLive(
  object: SoakObject,
  pg: PgRow[],
  sf: EmulatorRecord[],
  createdIds: Set<string>,
  offender: (kind: Offender['kind'], detail: string) => void,
): void {
  if (pg.length === 0 || sf.length === 0) return offender('lost', `missing in ${where(pg.length === 0 ? 1 : 0, sf.length === 0 ? 1 : 0)}`);
  if (pg.length > 1 || sf.length > 1) {
    // Evidence of who made the copies: the workload's own create is in the ledger.
    const madeBySync = [...pg.map((r) => `local:${r.id}`), ...sf.map((r) => r.Id)].filter((id) => !createdIds.has(id));
    return offender(
      'dup',
      `${pg.length} rows in Postgres, ${sf.length} records in Salesforce; the workload created only ${[...createdIds].join(', ') || '?'}, the sync made ${madeBySync.join(', ')}`,
    );
  }
  const row = pg[0]!;
  const rec = sf[0]!;
  if (row.sfid !== rec.Id) return offender('mismatch', `row's sfid ${row.sfid ?? 'null'} is not the record's Id ${rec.Id}`);
  const diffs = COMPARED_FIELDS[object]
    .filter((f) => !same(row.values[f.field], rec[f.field], f.kind))
    .map((f) => `${f.field} pg=${show(row.values[f.field])} sf=${show(rec[f.field])}`);
  if (diffs.length > 0) offender('mismatch', diffs.join(', '));
}

/**
 * A deleted tag still present: if what is left is what the delete named, the
 * delete did not get through (mismatch); if it is another copy, the record
 * had been duplicated and the delete took one copy (dup).
 */
function judgeDeleted(deletedIds: Set<string>, pg: PgRow[], sf: EmulatorRecord[], offender: (kind: Offender['kind'], detail: string) => void): void {
  const named = pg.some((r) => deletedIds.has(`local:${r.id}`) || (r.sfid !== null && deletedIds.has(r.sfid))) || sf.some((r) => deletedIds.has(r.Id));
  const deletedText = [...deletedIds].join(', ');
  if (named) offender('mismatch', `deleted (${deletedText}), but still in ${where(pg.length, sf.length)}`);
  else offender('dup', `a copy outlived the delete of ${deletedText}: still in ${where(pg.length, sf.length)}`);
}

function judgeOutbox(snap: Snapshot, add: (o: Offender) => void, report: OracleReport): void {
  const open = Math.max(snap.openBefore, snap.openAfter);
  report.unsent += open;
  for (const c of snap.open.slice(0, 5)) {
    report.offenders.push({
      kind: 'unsent',
      object: c.object as SoakObject,
      tag: `outbox row of record ${c.recordId}`,
      detail: `${c.op} ${c.state}, ${c.attempts} attempt(s), last error ${c.code ?? 'none'}, sfid ${c.sfid ?? 'null'}`,
      pg: [],
      sf: [],
    });
  }
  const sfById = new Map<string, EmulatorRecord>();
  for (const list of Object.values(snap.sf)) for (const r of list) sfById.set(r.Id, r);
  for (const f of snap.failed) {
    const record = f.sfid ? sfById.get(f.sfid) : undefined;
    const rightful = RIGHTFUL_CODES.has(f.code) && (record === undefined || record.IsDeleted);
    const counts = report.failedByCode.get(f.code) ?? { rightful: 0, wrong: 0 };
    counts[rightful ? 'rightful' : 'wrong']++;
    report.failedByCode.set(f.code, counts);
    if (!rightful)
      add({
        kind: 'unsent',
        object: f.object as SoakObject,
        tag: `outbox row ${f.id} (record ${f.recordId})`,
        detail: `${f.op} failed with ${f.code}, sfid ${f.sfid ?? 'null'}${record ? ` (live in Salesforce)` : ''}`,
        pg: [],
        sf: record ? [record] : [],
      });
  }
}

/** Equal after normalising: null and '' are the same; numbers compare as numbers. */
export function same(a: unknown, b: unknown, kind: 'text' | 'number'): boolean {
  const na = a === '' || a === undefined ? null : a;
  const nb = b === '' || b === undefined ? null : b;
  if (na === null || nb === null) return na === nb;
  return kind === 'number' ? Number(na) === Number(nb) : String(na) === String(nb);
}

function where(pg: number, sf: number): string {
  return [pg ? 'Postgres' : '', sf ? 'Salesforce' : ''].filter(Boolean).join(' and ');
}

function show(v: unknown): string {
  return v === null || v === undefined ? 'null' : JSON.stringify(v);
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
