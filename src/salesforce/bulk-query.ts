/**
 * Bulk API 2.0 query with results paged by locator ourselves: jsforce's
 * `bulk2.query()` pipes every page into one stream and fails on the second
 * (ERR_STREAM_WRITE_AFTER_END, jsforce#1546; docs/salesforce-wire.md).
 *
 * create job → poll until JobComplete → GET results?locator=…&maxRecords=… until
 * `Sforce-Locator: null`. Each page is parsed on its own (it repeats the header).
 */
import type { Connection } from 'jsforce';
// jsforce has no `exports` map; its HttpApi is the one way to read response
// headers (Sforce-Locator) while keeping its 401 → refresh → retry behaviour.
import HttpApiModule from 'jsforce/lib/http-api.js';
import { SfsyncError } from '../errors.js';
import { parseCsvRecords } from './read-csv.js';
import type { QueryOptions } from './salesforce-client.js';

/** Options of {@link bulkQueryPages}. */
export interface BulkQueryOptions extends QueryOptions {
  /** Rows per results page; default 50,000 (one page ≈ tens of MB of CSV at most for typical mappings). */
  maxRecords?: number;
  /** Stop waiting for the job after this long, ms; default 30 minutes. */
  timeoutMs?: number;
  /** Aborts the wait (engine stopping). */
  signal?: AbortSignal;
}

interface JobInfo {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  errorMessage?: string;
  numberRecordsProcessed?: number;
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
}

type HttpApiInstance = {
  on(event: 'response', listener: (response: RawResponse) => void): void;
  request(request: { method: string; url: string; headers?: Record<string, string> }): Promise<unknown>;
};
const HttpApi = ((HttpApiModule as unknown as { default?: unknown }).default ?? HttpApiModule) as new (
  conn: Connection,
  options: { responseType?: string },
) => HttpApiInstance;

function jobsUrl(conn: Connection, suffix = ''): string {
  return `${conn.instanceUrl}/services/data/v${conn.version}/jobs/query${suffix}`;
}

/** Create the query job; returns its id. */
async function createJob(conn: Connection, soql: string, options: QueryOptions): Promise<string> {
  const job = await conn.request<JobInfo>({
    method: 'POST',
    url: jobsUrl(conn),
    body: JSON.stringify({ operation: options.includeDeleted ? 'queryAll' : 'query', query: soql }),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  return job.id;
}

/**
 * Poll the job until JobComplete. Intervals grow 50 ms → 2 s (×1.5): a small
 * job finishes within a few polls (each poll is an API call), a long one costs
 * at most one call every 2 s.
 */
async function waitForJob(conn: Connection, id: string, options: BulkQueryOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let delay = 50;
  for (;;) {
    const job = await conn.request<JobInfo>({ method: 'GET', url: jobsUrl(conn, `/${id}`) });
    if (job.state === 'JobComplete') return;
    if (job.state === 'Failed' || job.state === 'Aborted') {
      throw new SfsyncError(
        'SF_BULK_QUERY_FAILED',
        `Bulk query job ${id} ended ${job.state}: ${job.errorMessage ?? 'no message'}; check the SOQL and the org's Bulk API limits.`,
      );
    }
    if (Date.now() > deadline) {
      throw new SfsyncError(
        'SF_BULK_QUERY_TIMEOUT',
        `Bulk query job ${id} still ${job.state} after ${options.timeoutMs ?? 1_800_000} ms; retry later or raise the timeout.`,
      );
    }
    if (options.signal?.aborted) throw new SfsyncError('ABORTED', `Bulk query job ${id} was abandoned because the engine is stopping; it will be retried.`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(2000, Math.round(delay * 1.5));
  }
}

/** GET one results page as raw text plus its Sforce-Locator. */
async function fetchPage(conn: Connection, id: string, locator: string | undefined, maxRecords: number): Promise<{ csv: string; next: string }> {
  const api = new HttpApi(conn, { responseType: 'text/plain' });
  let next: string | undefined;
  api.on('response', (response) => {
    next = response.headers['sforce-locator'];
  });
  const query = `?maxRecords=${maxRecords}${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`;
  const body = await api.request({ method: 'GET', url: jobsUrl(conn, `/${id}/results${query}`), headers: { Accept: 'text/csv' } });
  // A missing header would make a naive loop fetch forever (docs/salesforce-wire.md, "Query results by locator"): treat it as the end.
  return { csv: typeof body === 'string' ? body : '', next: next ?? 'null' };
}

/**
 * Run `soql` as a Bulk 2.0 query (queryAll when `includeDeleted`) and yield
 * each non-empty results page as its CSV text, header row included.
 */
export async function* bulkQueryCsv(conn: Connection, soql: string, options: BulkQueryOptions): AsyncIterable<string> {
  const id = await createJob(conn, soql, options);
  await waitForJob(conn, id, options);
  const maxRecords = options.maxRecords ?? 50_000;
  let next: Promise<{ csv: string; next: string }> | undefined = fetchPage(conn, id, undefined, maxRecords);
  while (next) {
    const page: { csv: string; next: string } = await next;
    // Fetch the following page while this one is parsed and consumed.
    next = page.next === 'null' || page.next === '' ? undefined : fetchPage(conn, id, page.next, maxRecords);
    // Keep a failed prefetch from being reported as unhandled before it is awaited.
    next?.catch(() => undefined);
    // Let the prefetch's request leave before the CPU-bound parse (jsforce sends after a few ticks).
    for (let tick = 0; next && tick < 3; tick++) await new Promise((resolve) => setImmediate(resolve));
    if (page.csv.length > 0) yield page.csv;
  }
}

/**
 * Run `soql` as a Bulk 2.0 query (queryAll when `includeDeleted`) and yield each
 * results page as rows of strings keyed by column ('' for null).
 */
export async function* bulkQueryPages(conn: Connection, soql: string, options: BulkQueryOptions): AsyncIterable<Array<Record<string, string>>> {
  for await (const csv of bulkQueryCsv(conn, soql, options)) {
    const rows = parseCsvRecords(csv);
    if (rows.length > 0) yield rows;
  }
}
