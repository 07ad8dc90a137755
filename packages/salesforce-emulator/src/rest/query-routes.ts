/**
 * `/query`, `/queryAll` and their locator pages (docs/wire-notes.md, Queries and locators).
 * `nextRecordsUrl` always uses `/query/` because jsforce does so even for
 * queryAll; the cursor remembers whether deleted rows are included.
 */
import { HttpError } from '../http.js';
import type { QueryCursor } from '../ports.js';
import { SoqlError } from '../soql/index.js';
import { dataPath, type RestReply, type RestRequest } from './rest-types.js';

/** Default and bounds of `Sforce-Query-Options: batchSize=N`. */
const DEFAULT_BATCH = 2000;
const MIN_BATCH = 200;
const MAX_BATCH = 2000;

function batchSizeOf(req: RestRequest): number {
  const m = /batchSize\s*=\s*(\d+)/i.exec(req.headers['sforce-query-options'] ?? '');
  if (m?.[1] === undefined) return DEFAULT_BATCH;
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, Number(m[1])));
}

/** GET /query?q= and /queryAll?q= */
export function runQuery(req: RestRequest, includeDeleted: boolean): RestReply {
  const soql = req.search.get('q');
  if (soql === null || soql.trim() === '') throw HttpError.of(400, 'MALFORMED_QUERY', 'A query string (q) is required.');
  let cursor: QueryCursor;
  try {
    cursor = req.org.query(soql, { includeDeleted, apiVersion: req.apiVersion });
  } catch (error) {
    if (error instanceof SoqlError) throw HttpError.of(400, error.errorCode, error.message);
    throw error;
  }
  return page(req, cursor, batchSizeOf(req), 0, undefined);
}

/** GET /query/{locator} (and /queryAll/{locator}) */
export function queryMore(req: RestRequest, [locator]: string[]): RestReply {
  const resumed = req.locators.resume(locator ?? '');
  if (resumed === undefined) throw HttpError.of(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  return page(req, resumed.cursor, resumed.batchSize, resumed.offset, resumed.id);
}

function page(req: RestRequest, cursor: QueryCursor, batchSize: number, offset: number, locatorId: string | undefined): RestReply {
  const records = cursor.isCount ? [] : cursor.take(batchSize);
  const done = cursor.remaining === 0;
  const next = offset + records.length;
  let locator: string | undefined;
  if (locatorId !== undefined) locator = req.locators.advance(locatorId, next, done);
  else if (!done) locator = req.locators.save(cursor, batchSize, next);
  const body: Record<string, unknown> = { totalSize: cursor.totalSize, done };
  if (locator !== undefined) body.nextRecordsUrl = `${dataPath(req)}/query/${locator}`;
  body.records = records;
  return { status: 200, body };
}
