/**
 * Parsing an uploaded CSV with csv-parse without blocking the server: the
 * buffer is fed in 256 KB slices with a macrotask yield between them, so a
 * 100 MB upload parses while other requests are still answered.
 */
import { parse } from 'csv-parse';
import { COLUMN_DELIMITERS, LINE_ENDINGS, type CsvDialect } from './csv-dialect.js';

const SLICE_BYTES = 256 * 1024;

/** Thrown when the CSV cannot be parsed; `message` becomes the job's `errorMessage`. */
export class CsvInputError extends Error {
  override readonly name = 'CsvInputError';
}

/**
 * All records of `data` as arrays of raw cells (header included), appended to
 * `rows` (so the rows read before a parse error are kept). Values are not
 * trimmed; empty lines are skipped; a UTF-8 BOM is dropped.
 */
export async function readCsv(data: Buffer, dialect: CsvDialect, pause: () => Promise<void>, rows: string[][] = []): Promise<string[][]> {
  checkLineEnding(data, dialect);
  const parser = parse({
    delimiter: COLUMN_DELIMITERS[dialect.columnDelimiter],
    record_delimiter: LINE_ENDINGS[dialect.lineEnding],
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
  });
  parser.on('readable', () => {
    for (let row = parser.read() as string[] | null; row !== null; row = parser.read() as string[] | null) rows.push(row);
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.once('end', resolve);
    parser.once('error', reject);
  });
  let failed = false;
  done.catch(() => {
    failed = true;
  });
  for (let offset = 0; offset < data.length && !failed; offset += SLICE_BYTES) {
    parser.write(data.subarray(offset, offset + SLICE_BYTES));
    await pause();
  }
  if (!failed) parser.end();
  try {
    await done;
  } catch (error) {
    throw new CsvInputError(`ClientInputError : Failed to parse CSV: ${(error as Error).message}`);
  }
  return rows;
}

/** Salesforce rejects data whose first line ending differs from the job's `lineEnding`. */
function checkLineEnding(data: Buffer, dialect: CsvDialect): void {
  const newline = data.indexOf(10);
  if (newline < 0) return;
  const crlf = newline > 0 && data[newline - 1] === 13;
  if (crlf !== (dialect.lineEnding === 'CRLF')) {
    throw new CsvInputError(`ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${dialect.lineEnding}`);
  }
}
