/**
 * Poll windows over SystemModstamp and the SOQL that reads them.
 *
 * Bounds are whole seconds. Salesforce stores SystemModstamp with `.000` ms and
 * compares at second precision (docs/salesforce-wire.md, "SystemModstamp precision"); the emulator keeps real
 * milliseconds. With second-aligned bounds `[lower, upper)` both agree exactly:
 * a record stamped 12:00:00.500 belongs to [12:00:00, 12:00:01) on either side,
 * so consecutive windows neither miss nor double-count a record.
 *
 * The primary query reads `SystemModstamp >= lower` with NO upper bound: records
 * stamped at or after `upper` (the last ~1–2 s) are applied too, which is what
 * makes a streaming-triggered poll see the change it was woken for within
 * milliseconds. They are applied again by the next window — harmless, because
 * the upsert only writes when the incoming stamp is >= the stored one and a
 * value differs. The watermark advances only to `upper` (= now − upperLagMs,
 * floored), which leaves in-flight transactions (committed later with an
 * earlier stamp) to the next window or, if even later, to the drift re-poll.
 */
import { soqlDateTime, soqlStringList } from '../salesforce/soql-literals.js';

/** A window `[lower, upper)`. */
export interface Window {
  lower: Date;
  upper: Date;
}

/** Milliseconds floored to the whole second. */
export function floorToSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

/** The next primary window after `watermark`, or undefined when `upper` would not pass it. */
export function nextPrimaryWindow(watermark: Date, nowMs: number, upperLagMs: number): Window | undefined {
  const upper = floorToSecond(nowMs - upperLagMs);
  return upper.getTime() > watermark.getTime() ? { lower: watermark, upper } : undefined;
}

export { selectFields } from '../mapping/field-info.js';

/** What a window query needs. */
export interface WindowQuery {
  sobject: string;
  fields: readonly string[];
  rowFilter?: string | null;
  /** `SystemModstamp >= lower`; omitted: from the beginning. */
  lower?: Date;
  /** `SystemModstamp < upper`; omitted: no upper bound. */
  upper?: Date;
  /** `Id IN (…)`: only these records (a re-read by Id); omitted: no such condition. */
  ids?: readonly string[];
}

/** `SELECT <fields> FROM <object> WHERE <bounds or Ids> AND (<row filter>)`. */
export function windowSoql(query: WindowQuery, select: 'fields' | 'count' = 'fields'): string {
  const conditions: string[] = [];
  if (query.lower) conditions.push(`SystemModstamp >= ${soqlDateTime(query.lower)}`);
  if (query.upper) conditions.push(`SystemModstamp < ${soqlDateTime(query.upper)}`);
  if (query.ids) conditions.push(`Id IN (${soqlStringList(query.ids)})`);
  if (query.rowFilter && query.rowFilter.trim() !== '') conditions.push(`(${query.rowFilter})`);
  const list = select === 'count' ? 'COUNT()' : query.fields.join(', ');
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  return `SELECT ${list} FROM ${query.sobject}${where}`;
}
