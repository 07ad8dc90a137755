/**
 * `GET /jobs/query/{id}/results[?locator=X&maxRecords=N]`: one page of CSV with
 * its header row, `Sforce-NumberOfRecords` and `Sforce-Locator` — the next
 * page's opaque locator, or the literal `null` on the last page (jsforce loops
 * while the locator is not `'null'`, so it is always sent).
 */
import type { ServerResponse } from 'node:http';
import { bulkError } from './bulk-errors.js';
import { sendCsv, type CsvCell } from './csv-writer.js';
import { formatCell } from './csv-values.js';
import type { QueryJob } from './query-job.js';

/**
 * Rows per page when `maxRecords` is absent. Salesforce sizes default pages by
 * bytes (sets of up to about 1 GB), so real results rarely split below a million
 * narrow rows; a large default keeps jsforce's `bulk2.query()`, which fails on a
 * second page (jsforce#1546), working as it does against a real org.
 */
export const DEFAULT_MAX_RECORDS = 1_000_000;

/** Locators are base64 of the row offset, padding dropped (`MTAwMDA` = 10000), like Salesforce's. */
export function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
}

/** The row offset of a locator; throws 400 for one this emulator did not issue. */
export function decodeLocator(locator: string): number {
  const text = Buffer.from(locator, 'base64').toString('utf8');
  if (!/^\d+$/.test(text) || encodeLocator(Number(text)) !== locator) {
    throw bulkError(400, 'INVALIDLOCATOR', `Invalid locator: ${locator}. Use the Sforce-Locator header of the previous page.`);
  }
  return Number(text);
}

/** Stream the page of `job` selected by `search`. */
export async function sendQueryPage(res: ServerResponse, job: QueryJob, search: URLSearchParams): Promise<void> {
  const locator = search.get('locator');
  const start = locator === null || locator === '' || locator === 'null' ? 0 : decodeLocator(locator);
  const maxRecords = parseMaxRecords(search.get('maxRecords'));
  const end = Math.min(job.rows.length, start + maxRecords);
  const count = Math.max(0, end - start);
  const next = end < job.rows.length ? encodeLocator(end) : 'null';
  const source = (from: number, to: number): CsvCell[][] => {
    const out: CsvCell[][] = [];
    for (let i = start + from; i < start + to; i++) {
      const row = job.rows[i] ?? [];
      out.push(row.map((value, c) => formatCell(value, job.dateTimeColumns[c] === true)));
    }
    return out;
  };
  await sendCsv(res, job.columns, count, source, job.dialect, {
    'Sforce-NumberOfRecords': String(count),
    'Sforce-Locator': next,
  });
}

function parseMaxRecords(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_MAX_RECORDS;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw bulkError(400, 'INVALIDJOB', `maxRecords must be a positive integer, got ${raw}.`);
  }
  return Number(raw);
}
