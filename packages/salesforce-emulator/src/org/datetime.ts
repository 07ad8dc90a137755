/**
 * Salesforce's JSON date/time forms (docs/wire-notes.md, Dates and times):
 * datetimes as `2024-01-02T03:04:05.000+0000`, dates `2024-01-02`, times
 * `03:04:05.000Z`.
 */

let lastMs = Number.NaN;
let lastText = '';

/** Epoch ms → `2024-01-02T03:04:05.000+0000`. Caches the last value: bursts of writes share a stamp. */
export function formatDateTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = new Date(ms).toISOString().replace('Z', '+0000');
  }
  return lastText;
}

/** Epoch ms → `2024-01-02` (UTC). */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parse a datetime in any ISO-8601 form Salesforce accepts; undefined when unparseable. */
export function parseDateTime(text: string): number | undefined {
  const m = DATETIME_RE.exec(text.trim());
  if (m === null) return undefined;
  const [, date, time = '00:00:00', zone = 'Z'] = m;
  const normalizedZone = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const withSeconds = time.length === 5 ? `${time}:00` : time;
  const ms = Date.parse(`${date}T${withSeconds}${normalizedZone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Parse a date (`2024-01-02`, or the date part of a datetime); undefined when unparseable. */
export function parseDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text.trim());
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : formatDate(ms);
}

/** Parse a time (`03:04`, `03:04:05`, `03:04:05.123Z`) into `03:04:05.123Z`. */
export function parseTime(text: string): string | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?Z?$/i.exec(text.trim());
  if (m === null) return undefined;
  const [, h, min, s = '00', frac = '0'] = m;
  if (Number(h) > 23 || Number(min) > 59 || Number(s) > 59) return undefined;
  return `${h}:${min}:${s}.${frac.padEnd(3, '0')}Z`;
}
