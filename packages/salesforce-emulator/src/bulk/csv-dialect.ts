/**
 * The CSV dialects a Bulk 2.0 job may declare: `columnDelimiter` and `lineEnding`
 * (Create a Job: COMMA default, LF default).
 */

/** `columnDelimiter` values and the character each stands for. */
export const COLUMN_DELIMITERS = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
} as const;

/** A `columnDelimiter` name. */
export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;

/** `lineEnding` values and the record separator each stands for. */
export const LINE_ENDINGS = { LF: '\n', CRLF: '\r\n' } as const;

/** A `lineEnding` name. */
export type LineEnding = keyof typeof LINE_ENDINGS;

/** A job's CSV dialect. */
export interface CsvDialect {
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
}

/** Parse the optional dialect fields of a create request; returns an error message when a value is unknown. */
export function parseDialect(body: Record<string, unknown>): CsvDialect | string {
  const delimiter = body['columnDelimiter'] ?? 'COMMA';
  const lineEnding = body['lineEnding'] ?? 'LF';
  if (typeof delimiter !== 'string' || !(delimiter in COLUMN_DELIMITERS)) {
    return `Invalid columnDelimiter: ${String(delimiter)}. Use one of ${Object.keys(COLUMN_DELIMITERS).join(', ')}.`;
  }
  if (typeof lineEnding !== 'string' || !(lineEnding in LINE_ENDINGS)) {
    return `Invalid lineEnding: ${String(lineEnding)}. Use LF or CRLF.`;
  }
  return { columnDelimiter: delimiter as ColumnDelimiter, lineEnding: lineEnding as LineEnding };
}
