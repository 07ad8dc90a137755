/**
 * Initial load and reload through Bulk API 2.0 queryAll, paged by locator,
 * COPY'd into Postgres in ONE transaction:
 * - empty table before the first watermark (initial load): COPY straight into
 *   it — readers see no rows until COMMIT, then all of them (never half), and
 *   no second copy of 1M rows;
 * - otherwise: COPY into a temporary staging table, then merge (load-sql.ts).
 * The download holds no apply lock — the mapping's polls keep running in
 * their own queue — the lock is taken only for the merge, so polls wait for
 * the merge (seconds), not the Bulk download (minutes for 1M records).
 * The query has no upper bound (like a poll's, window-bounds.ts): everything
 * present is loaded; the watermark becomes `upper` (now − lag, floored) and
 * the first poll re-reads the last second or two as no-ops.
 * Progress: the `reload` window row's records_seen / records_expected, written
 * on the pool outside the load transaction so it is visible while loading.
 */
import { run, sfsync } from '../db/typed-query.js';
import { sql } from 'kysely';
import type pg from 'pg';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import { floorToSecond, selectFields, windowSoql } from './window-bounds.js';
import { beginUncaptured, lockApply } from './apply-page.js';
import { copyFrom } from './copy-in.js';
import { copyChunks } from './load-rows.js';
import type { InboundMapping } from './inbound-mapping.js';
import { STAGE, copySql, createStageSql, loadColumns, mergeSql } from './load-sql.js';
import { qualified } from './apply-sql.js';
import { finishWindow, startWindow, updateWindow, type WindowCounters } from './window-log.js';

/** Options of {@link loadTable}. */
export interface LoadOptions {
  /** Backfill only these fields (API names) of existing rows. */
  fields?: readonly string[];
  upperLagMs: number;
  /** Bulk results page size. */
  maxRecords?: number;
}

/** Load (or backfill) the mapping's table; returns the window's counters. */
export async function loadTable(pool: pg.Pool, client: SalesforceClient, mapping: InboundMapping, options: LoadOptions): Promise<WindowCounters> {
  const backfill = options.fields !== undefined && options.fields.length > 0;
  const wanted = backfill ? mapping.fields.filter((f) => options.fields?.some((n) => n.toLowerCase() === f.name.toLowerCase())) : mapping.fields;
  const columns = loadColumns(wanted, backfill);
  const soql = windowSoql({
    sobject: mapping.sobject,
    fields: backfill ? ['Id', ...wanted.map((f) => f.name), 'SystemModstamp'] : selectFields(mapping.fields),
    rowFilter: mapping.rowFilter,
  });
  const startCalls = client.callCount;
  const counters: WindowCounters = { api: 'bulk', seen: 0, applied: 0, failed: 0, apiCalls: 0 };
  let windowId: string | undefined;
  const db = await pool.connect();
  try {
    await db.query('begin');
    // No apply lock while downloading: the mapping's polls keep applying (load-sql.ts explains the merge).
    await beginUncaptured(db);
    // Before the first watermark no poll applies, so an initial load takes the lock up front
    // (costing nothing) and a duplicate initial load queued meanwhile waits, then merges.
    const initial = !backfill && mapping.watermark === null;
    if (initial) await lockApply(db, mapping.id);
    const { rows } = await db.query<{ direct: boolean }>(
      `select not exists (select 1 from ${qualified(mapping)}) and (select watermark is null from sfsync.mappings where id = $1) as direct`,
      [mapping.id],
    );
    // Straight into the table only for the first load of an empty table (re-read under the lock).
    const direct = initial && rows[0]?.direct === true;
    // The snapshot time, taken only now (after any wait for the lock): the merge removes rows
    // stamped before it that the snapshot lacks, so it must not predate the Bulk job.
    const upper = floorToSecond(Date.now() - options.upperLagMs);
    windowId = await startWindow(pool, { mappingId: mapping.id, kind: 'reload', lower: new Date(0), upper });
    if (!direct) await db.query(createStageSql(mapping, columns));
    const copy = copySql(direct ? qualified(mapping) : STAGE, columns);
    // One COUNT() call makes progress readable as records_seen / records_expected. It runs beside
    // the Bulk job rather than before it (a round trip saved); its failure fails the load at the next page.
    const counting = client
      .count(windowSoql({ sobject: mapping.sobject, fields: [], rowFilter: mapping.rowFilter }, 'count'), { includeDeleted: !backfill })
      .then((n) => {
        counters.expected = n;
      });
    let countFailure: unknown;
    counting.catch((error: unknown) => {
      countFailure = error ?? new Error('the COUNT() query failed');
    });
    // Rows stamped before this existed when the Bulk job was created (upperLagMs covers clock
    // skew); not floored like `upper`, so a row stamped earlier in the same second still counts.
    const snapshotAt = new Date(Date.now() - options.upperLagMs);
    const pages = client.bulkQueryCsv(soql, { includeDeleted: !backfill, ...(options.maxRecords ? { maxRecords: options.maxRecords } : {}) });
    const fields = backfill ? mapping.fields.filter((f) => columns.includes(f.column)) : mapping.fields;
    // Postgres COPYs chunk k while chunk k+1 is converted here and the next page is fetched.
    let copying: Promise<number> = Promise.resolve(0);
    for await (const csv of pages) {
      for await (const part of copyChunks(mapping, csv, fields, backfill)) {
        await copying;
        if (part.rows > 0) copying = copyFrom(db, copy, [part.chunk]);
        copying.catch(() => undefined);
        counters.seen += part.seen;
        counters.applied += direct ? part.rows : 0;
        counters.failed += part.failed;
      }
      if (countFailure !== undefined) throw countFailure;
      counters.apiCalls = client.callCount - startCalls;
      await updateWindow(pool, windowId, counters);
    }
    await counting;
    await copying;
    if (!initial) await lockApply(db, mapping.id);
    if (!direct) {
      const feed = mapping.feed ? { connectionId: mapping.connectionId, mappingId: mapping.id, sobject: mapping.sobject } : undefined;
      for (const statement of mergeSql(mapping, columns, backfill, mapping.id, snapshotAt, feed)) {
        const result = await db.query(statement);
        counters.applied += statement.counted ? Number((result.rows[0] as { n: number }).n) : (result.rowCount ?? 0);
      }
    }
    counters.apiCalls = client.callCount - startCalls;
    await finishWindow(db, windowId, counters);
    if (!backfill) {
      // Back to the snapshot time even if polls moved it on during the download: the next
      // poll re-reads [upper, now), re-applying whatever the snapshot predates — notably a
      // delete a poll applied meanwhile, which the merge's insert cannot tell from a new row.
      await run(
        db,
        sfsync
          .updateTable('mappings')
          .set({
            watermark: upper,
            state: sql<'active'>`case when state in ('new', 'loading') then 'active' else state end`,
            last_error: null,
            updated_at: sql<Date>`now()`,
          })
          .where('id', '=', mapping.id),
      );
    }
    await db.query('commit');
    return counters;
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw Object.assign(error as object, { windowId, counters });
  } finally {
    db.release();
  }
}
