/**
 * Conflicts during an inbound apply (read_write mappings): read the page's open
 * outbox rows, decide per field (conflict-rules.ts), record every decision in
 * sfsync.conflicts, and drop the fields Salesforce won from the still-unsent
 * outbox rows so the pending push never overwrites Salesforce with them.
 * Rows already claimed by a push (`pending`) are in flight and cannot be
 * edited; their values reach Salesforce and come back through the next poll.
 */
import type pg from 'pg';
import { decideConflicts, type PendingChange } from '../../sync/conflict-rules.js';
import type { InboundRow } from '../../sync/inbound-record.js';
import { pendingOutboxSql } from '../../sync/inbound-sql.js';
import type { InboundMapping } from './inbound-mapping.js';

interface OutboxRow {
  id: string;
  sfid: string;
  state: 'new' | 'pending';
  op: PendingChange['op'];
  changed: Record<string, unknown>;
  old: Record<string, unknown> | null;
  created_at: Date;
}

const DROP_FIELDS_SQL = `
update sfsync.outbox set
  changed = changed - $2::text[],
  state = case when op = 'update' and (changed - $2::text[]) = '{}'::jsonb then 'ignored' else state end,
  done_at = case when op = 'update' and (changed - $2::text[]) = '{}'::jsonb then now() else done_at end
where id = any($1::bigint[]) and state = 'new'`;

const INSERT_CONFLICTS_SQL = `
insert into sfsync.conflicts (mapping_id, sfid, field, pg_value, sf_value, policy, decision)
select $1, c.sfid, c.field, c.pg_value, c.sf_value, $2, c.decision
from jsonb_to_recordset($3::jsonb) as c(sfid text, field text, pg_value jsonb, sf_value jsonb, decision text)`;

/**
 * Returns, per sfid with open outbox rows, the columns to keep as they are in
 * Postgres (possibly none). Records without open rows are absent.
 */
export async function resolveConflicts(client: pg.PoolClient, mapping: InboundMapping, rows: readonly InboundRow[]): Promise<Map<string, string[]>> {
  const { rows: open } = await client.query<OutboxRow>(pendingOutboxSql(mapping), [mapping.id, rows.map((r) => r.sfid)]);
  const keep = new Map<string, string[]>();
  if (open.length === 0) return keep;
  const bySfid = new Map<string, PendingChange[]>();
  for (const o of open) {
    const list = bySfid.get(o.sfid) ?? [];
    list.push({ outboxId: o.id, state: o.state, op: o.op, changed: o.changed, old: o.old, createdAt: o.created_at });
    bySfid.set(o.sfid, list);
  }
  const conflicts: Array<{ sfid: string; field: string; pg_value: unknown; sf_value: unknown; decision: string }> = [];
  for (const row of rows) {
    const pending = bySfid.get(row.sfid);
    if (!pending) continue;
    const stamp = row.systemmodstamp ? new Date(`${row.systemmodstamp.replace(' ', 'T')}Z`) : null;
    const outcome = decideConflicts({ policy: mapping.policy, fields: mapping.fields, sfValues: row.values, sfModstamp: stamp, pending });
    keep.set(row.sfid, outcome.keepColumns);
    for (const c of outcome.conflicts) conflicts.push({ sfid: row.sfid, field: c.field, pg_value: c.pgValue ?? null, sf_value: c.sfValue, decision: c.decision });
    if (outcome.dropFromOutbox.length > 0) {
      await client.query(DROP_FIELDS_SQL, [pending.map((p) => p.outboxId), outcome.dropFromOutbox]);
    }
  }
  if (conflicts.length > 0) await client.query(INSERT_CONFLICTS_SQL, [mapping.id, mapping.policy, JSON.stringify(conflicts)]);
  return keep;
}
