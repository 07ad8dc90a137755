/**
 * Release the Salesforce records a poll held back (`sfsync.deferred_inserts`,
 * apply-sql.ts explains why): fetch them by Id and apply them like any
 * window, which inserts those no unresolved local insert may be any more,
 * then forget the ones the table now holds (inserted here, or adopted by the
 * push's lookup) or Salesforce no longer has live. Only records that the
 * lookup could adopt (the sent name, created after the claim) are ever held
 * back, so the list is rare and small.
 *
 * Runs inside every poll of a mapping without an External ID (its poll queue
 * keeps it serial), and the push queues an event poll as soon as it has
 * resolved inserts while records wait, so a held-back record arrives one poll
 * after the insert that held it back is settled, not at the nightly reconcile.
 */
import { run, sfsync } from '../db/typed-query.js';
import { sql } from 'kysely';
import type pg from 'pg';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import { qualified } from './apply-sql.js';
import { selectFields, windowSoql } from './window-bounds.js';
import { fetchAndApply } from './fetch-apply.js';
import { soqlChunks } from '../salesforce/query-chunks.js';
import type { InboundMapping } from './inbound-mapping.js';

/** Ids per query at most: 200 Ids keep the SOQL near 5 KB, far below Salesforce's 100,000-character limit; fewer when the field list is long (query-chunks.ts). */
const IDS_PER_QUERY = 200;
/** Records released per poll; the rest wait for the next poll. */
const RELEASE_LIMIT = 2_000;

/** True when the mapping has held-back records (one index probe; the push asks after each run). */
export async function hasDeferred(db: pg.Pool | pg.ClientBase, mappingId: string): Promise<boolean> {
  const rows = await run(
    db,
    sfsync
      .selectFrom('deferred_inserts')
      .select(sql<number>`1`.as('one'))
      .where('mapping_id', '=', mappingId)
      .limit(1),
  );
  return rows.length > 0;
}

/** Apply the held-back records no unresolved insert holds any more; returns how many were fetched. */
export async function releaseDeferred(pool: pg.Pool, client: SalesforceClient, mapping: InboundMapping): Promise<number> {
  if (mapping.externalIdColumn || mapping.mode !== 'read_write') return 0;
  await pool.query(`delete from sfsync.deferred_inserts d where d.mapping_id = $1 and exists (select 1 from ${qualified(mapping)} t where t.sfid = d.sfid)`, [
    mapping.id,
  ]);
  // The apply decides again whether each is held back (apply-sql.ts heldBackSql): it has the values to compare.
  const rows = await run(
    pool,
    sfsync.selectFrom('deferred_inserts').select('sfid').where('mapping_id', '=', mapping.id).orderBy('deferred_at').limit(RELEASE_LIMIT),
  );
  const ready = rows.map((r) => r.sfid);
  const fields = selectFields(mapping.fields);
  for (const { values: ids, soql } of soqlChunks(
    ready,
    (some) => windowSoql({ sobject: mapping.sobject, fields, ids: some, rowFilter: mapping.rowFilter }),
    IDS_PER_QUERY,
  )) {
    const live: string[] = [];
    await fetchAndApply(pool, client, mapping, soql, {
      api: 'rest',
      includeDeleted: true,
      filter: (row) => {
        if (!row.isdeleted || mapping.deleteMode === 'mark') live.push(row.sfid);
        return true;
      },
    });
    // Kept: records Salesforce returned live that are still not in the table (held back again by an insert claimed meanwhile).
    await pool.query(
      `delete from sfsync.deferred_inserts d where d.mapping_id = $1 and d.sfid = any($2::text[])
          and (not d.sfid = any($3::text[]) or exists (select 1 from ${qualified(mapping)} t where t.sfid = d.sfid))`,
      [mapping.id, ids, live],
    );
  }
  return ready.length;
}
