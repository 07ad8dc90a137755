/**
 * Reconciliation: compare every Id + SystemModstamp in Salesforce (one Bulk
 * query of those two fields, plus the mapping's formula fields, whose changes
 * never move SystemModstamp) with the table, then fix:
 * - missing or stale rows: re-read those records by Id (REST) and apply them;
 * - extra rows (hard-deleted, purged from the recycle bin): delete them, or
 *   mark them isdeleted in 'mark' mode — only rows known to predate the
 *   snapshot and untouched by the write path (snapshot-gone.ts), so a record
 *   created while the reconcile ran (by a poll or a push) is never extra;
 * - formula fields: updated where they differ.
 */
import { escapeIdentifier as q } from 'pg';
import type pg from 'pg';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import { convertValue, toUtcTimestamp } from './convert.js';
import { qualified } from './apply-sql.js';
import { floorToSecond, selectFields, windowSoql } from './window-bounds.js';
import { beginUncaptured, lockApply } from './apply-page.js';
import { copyFrom, copyText } from './copy-in.js';
import { fetchAndApply } from './fetch-apply.js';
import type { InboundMapping } from './inbound-mapping.js';
import { goneFromSnapshotSql } from './snapshot-gone.js';
import { soqlChunks } from '../salesforce/query-chunks.js';
import { feedDeleteSql, feedUpdateSql } from './feed-sql.js';
import type { WindowCounters } from './window-log.js';

/** Records re-read per REST query at most (18-character Ids: ~9 KB encoded); fewer when the field list is long (query-chunks.ts). */
const IDS_PER_QUERY = 300;

const STAGE = 'sfsync_reconcile_stage';

/** Compare and fix; `upper` is the snapshot time. */
export async function reconcileTable(
  pool: pg.Pool,
  client: SalesforceClient,
  mapping: InboundMapping,
  upperLagMs: number,
): Promise<WindowCounters & { upper: Date }> {
  // Rows stamped before this are old enough to be in the snapshot if they still
  // exist: one second before the job, as Salesforce truncates stamps to seconds.
  const upper = floorToSecond(Date.now() - Math.max(upperLagMs, 1000));
  const startCalls = client.callCount;
  const formulas = mapping.fields.filter((f) => f.calculated && !f.removed);
  const soql = windowSoql({ sobject: mapping.sobject, fields: ['Id', 'SystemModstamp', ...formulas.map((f) => f.name)], rowFilter: mapping.rowFilter });
  const counters: WindowCounters = { api: 'bulk', seen: 0, applied: 0, failed: 0, apiCalls: 0 };
  const table = qualified(mapping);
  const cols = ['sfid', 'systemmodstamp', ...formulas.map((f) => f.column)];
  const refetch: string[] = [];
  const db = await pool.connect();
  try {
    await db.query('begin');
    // Download without the apply lock (polls keep applying); compare and fix under it.
    await beginUncaptured(db);
    await db.query(`create temp table ${STAGE} on commit drop as select ${cols.map(q).join(', ')} from ${table} with no data`);
    for await (const page of client.bulkQueryPages(soql, { includeDeleted: false })) {
      const lines = page.map((r) =>
        [
          r['Id'] ?? '',
          toUtcTimestamp(r['SystemModstamp'] ?? '') ?? null,
          ...formulas.map((f) => {
            const c = convertValue(f, r[f.name], 'bulk');
            return c.ok ? c.value : null;
          }),
        ]
          .map(copyText)
          .join('\t'),
      );
      if (lines.length > 0) await copyFrom(db, `copy ${STAGE} (${cols.map(q).join(', ')}) from stdin`, [Buffer.from(`${lines.join('\n')}\n`)]);
      counters.seen += page.length;
    }
    await lockApply(db, mapping.id);
    const stale = await db.query<{ sfid: string }>(
      `select s.sfid from ${STAGE} s left join ${table} t on t.sfid = s.sfid where t.sfid is null or t.systemmodstamp is null or t.systemmodstamp < s.systemmodstamp or t.isdeleted`,
    );
    refetch.push(...stale.rows.map((r) => r.sfid));
    // Only rows known to predate the snapshot and untouched by the write path (snapshot-gone.ts):
    // a record pushed during the download has an sfid, no stamp, and is not in the snapshot.
    const gone = `not t.isdeleted and ${goneFromSnapshotSql(STAGE, { mappingId: '$1', snapshot: '$2' })}`;
    const feed = mapping.feed ? { connectionId: mapping.connectionId, mappingId: mapping.id, sobject: mapping.sobject } : undefined;
    const count = (result: pg.QueryResult): number => (feed ? Number((result.rows[0] as { n: number }).n) : (result.rowCount ?? 0));
    const goneText = mapping.deleteMode === 'delete' ? `delete from ${table} as t where ${gone}` : `update ${table} as t set isdeleted = true where ${gone}`;
    counters.applied += count(await db.query(feed ? feedDeleteSql(feed, goneText, 'null::timestamp(3)') : goneText, [mapping.id, upper.toISOString()]));
    if (formulas.length > 0) {
      const set = formulas.map((f) => `${q(f.column)} = s.${q(f.column)}`).join(', ');
      const differs = `(${formulas.map((f) => `t.${q(f.column)}`).join(', ')}) is distinct from (${formulas.map((f) => `s.${q(f.column)}`).join(', ')})`;
      const update = `update ${table} t set ${set} from ${STAGE} s${feed ? `, ${table} o` : ''} where t.sfid = s.sfid${feed ? ' and o.id = t.id' : ''} and ${differs} and (t.systemmodstamp is null or t.systemmodstamp <= s.systemmodstamp)`;
      counters.applied += count(await db.query(feed ? feedUpdateSql(formulas, feed, update) : update));
    }
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    db.release();
  }
  const fields = selectFields(mapping.fields);
  for (const { soql: select } of soqlChunks(refetch, (ids) => windowSoql({ sobject: mapping.sobject, fields, ids }), IDS_PER_QUERY)) {
    const result = await fetchAndApply(pool, client, mapping, select, { api: 'rest', includeDeleted: true });
    counters.applied += result.applied;
    counters.failed += result.failed;
  }
  counters.apiCalls = client.callCount - startCalls;
  return { ...counters, upper };
}
