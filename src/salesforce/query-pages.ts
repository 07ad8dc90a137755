/**
 * REST query / queryAll, one page at a time. jsforce's `query()` fetches one
 * page unless `autoFetch`, and then stops at `maxFetch` (10,000 by default), so
 * the read path follows `nextRecordsUrl` itself: memory stays one page (≤ 2,000
 * rows) and every page is one counted API call.
 */
import type { Connection } from 'jsforce';
import type { QueryOptions, SfRow } from './salesforce-client.js';

/** The REST query reply (the subset we read). */
interface QueryReply {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

/** `/services/data/vXX.X/query` or `/queryAll` with the SOQL url-encoded. */
function firstPageUrl(conn: Connection, soql: string, options: QueryOptions): string {
  const resource = options.includeDeleted ? 'queryAll' : 'query';
  return `/services/data/v${conn.version}/${resource}?q=${encodeURIComponent(soql)}`;
}

/** Drop `attributes` (type/url) from a record; nested lookups keep theirs stripped too. Nothing else is flattened. */
export function stripAttributes(record: Record<string, unknown>): SfRow {
  const row: SfRow = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    row[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && 'attributes' in value ? stripAttributes(value as Record<string, unknown>) : value;
  }
  return row;
}

/**
 * Run `soql` through REST query (or queryAll when `includeDeleted`) and yield
 * each page's records, `attributes` removed. An empty result yields nothing.
 *
 * @example
 * for await (const rows of queryPages(conn, 'SELECT Id FROM Account', { includeDeleted: true })) …
 */
export async function* queryPages(conn: Connection, soql: string, options: QueryOptions): AsyncIterable<SfRow[]> {
  let url: string | undefined = firstPageUrl(conn, soql, options);
  while (url) {
    const reply: QueryReply = await conn.request<QueryReply>({ method: 'GET', url });
    if (reply.records.length > 0) yield reply.records.map(stripAttributes);
    // nextRecordsUrl is `/services/data/vXX.X/query/<locator>` even for
    // queryAll (docs/salesforce-wire.md, "Query and queryAll pages"); it is used as given.
    url = reply.done ? undefined : reply.nextRecordsUrl;
  }
}

/** `SELECT COUNT() FROM …`: the number of matching records (one API call; `totalSize` of the reply). */
export async function countQuery(conn: Connection, soql: string, options: QueryOptions): Promise<number> {
  const reply: QueryReply = await conn.request<QueryReply>({ method: 'GET', url: firstPageUrl(conn, soql, options) });
  return reply.totalSize;
}
