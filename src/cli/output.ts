/**
 * How commands print: aligned plain tables for people, one JSON document for
 * scripts (`--json`). Nothing else goes to stdout, so `--json` output parses.
 */

/** A column of {@link formatTable}: header and how to render a row's cell. */
export interface Column<R> {
  header: string;
  value: (row: R) => string;
  /** Right-align (numbers). */
  right?: boolean;
}

/** Render rows as an aligned table with a header line; `empty` when there are none. */
export function formatTable<R>(rows: readonly R[], columns: ReadonlyArray<Column<R>>, empty = '(none)'): string {
  if (rows.length === 0) return empty;
  const cells = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const render = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(columns.map((c) => c.header.toUpperCase())), ...cells.map(render)].join('\n');
}

/** Print a value as JSON (one document on stdout). */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** `12s`, `4m 10s`, `2h 5m`, `3d 4h`; `-` for null. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** A timestamp as `YYYY-MM-DD HH:MM:SS` UTC; `-` for null. */
export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('T', ' ').slice(0, 19);
}

/** Cut a value to one line of at most `max` characters. */
export function oneLine(value: string, max = 120): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
