/**
 * Read a SOQL query from Salesforce page by page (REST or Bulk 2.0) and apply
 * each page as it arrives: memory stays one page, and a failure leaves every
 * earlier page applied (idempotent upserts make the retry harmless).
 */
import type pg from 'pg';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import { toInboundRow, type InboundRow } from './record.js';
import { applyPage } from './apply-page.js';
import type { InboundMapping } from './inbound-mapping.js';
import type { WindowCounters } from './window-log.js';

/** Options of {@link fetchAndApply}. */
export interface FetchApplyOptions {
  api: 'rest' | 'bulk';
  includeDeleted: boolean;
  /** Called after each page with the running counters (progress). */
  onPage?: (counters: WindowCounters) => Promise<void>;
  /** Rows to skip applying (e.g. ahead of a bounded window); default none. */
  filter?: (row: InboundRow) => boolean;
}

/** Fetch `soql` and apply it to the mapping's table; returns the counters. */
export async function fetchAndApply(
  pool: pg.Pool,
  client: SalesforceClient,
  mapping: InboundMapping,
  soql: string,
  options: FetchApplyOptions,
): Promise<WindowCounters> {
  const startCalls = client.callCount;
  const counters: WindowCounters = { api: options.api, seen: 0, applied: 0, failed: 0, apiCalls: 0 };
  const pages: AsyncIterable<Array<Record<string, unknown>>> =
    options.api === 'bulk'
      ? client.bulkQueryPages(soql, { includeDeleted: options.includeDeleted })
      : client.queryPages(soql, { includeDeleted: options.includeDeleted });
  const source = options.api === 'bulk' ? 'bulk' : 'rest';
  for await (const page of pages) {
    let rows = page.map((record) => toInboundRow(record, mapping.fields, source));
    counters.seen += rows.length;
    if (options.filter) rows = rows.filter(options.filter);
    const result = await applyPage(pool, mapping, rows);
    counters.applied += result.applied;
    counters.failed += result.failed;
    counters.apiCalls = client.callCount - startCalls;
    await options.onPage?.(counters);
  }
  counters.apiCalls = client.callCount - startCalls;
  return counters;
}
