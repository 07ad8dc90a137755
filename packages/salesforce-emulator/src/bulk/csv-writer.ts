/**
 * Streaming a CSV reply (ingest results, query result pages) with csv-stringify:
 * every value quoted as Salesforce does (`"Id","Name"`), null as an empty
 * unquoted cell, written in blocks of 5,000 rows with back-pressure so a large
 * reply never becomes one giant string and the server stays responsive.
 */
import type { ServerResponse } from 'node:http';
import { stringify } from 'csv-stringify/sync';
import { COLUMN_DELIMITERS, LINE_ENDINGS, type CsvDialect } from './csv-dialect.js';

/** Rows per stringify call and socket write. */
export const BLOCK_ROWS = 5_000;

/** A cell of a reply: null renders as an empty unquoted value. */
export type CsvCell = string | null;

/** Produces the rows in [start, end) of a reply. */
export type RowSource = (start: number, end: number) => CsvCell[][];

/** Encode rows in the job's dialect, every non-null value quoted. */
export function encodeRows(rows: CsvCell[][], dialect: CsvDialect): string {
  return stringify(rows, {
    quoted: true,
    delimiter: COLUMN_DELIMITERS[dialect.columnDelimiter],
    record_delimiter: LINE_ENDINGS[dialect.lineEnding],
  });
}

/** Write a 200 `text/csv` reply: the header row, then `count` rows from `source`. */
export async function sendCsv(
  res: ServerResponse,
  header: string[],
  count: number,
  source: RowSource,
  dialect: CsvDialect,
  headers: Record<string, string> = {},
): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/csv', ...headers });
  res.write(encodeRows([header], dialect));
  for (let start = 0; start < count; start += BLOCK_ROWS) {
    const end = Math.min(start + BLOCK_ROWS, count);
    if (!res.write(encodeRows(source(start, end), dialect))) await drained(res);
    if (res.destroyed) return;
  }
  res.end();
}

/** Resolve on `drain`, or when the client has gone; removes both listeners either way. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
