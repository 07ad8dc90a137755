/**
 * Conflicts during an inbound apply (read_write mappings): read the page's open
 * outbox rows, decide per field (conflict-rules.ts), record every decision in
 * sfsync.conflicts, and drop the fields Salesforce won from the still-unsent
 * ('new') outbox rows so the next push never overwrites Salesforce with them.
 *
 * A row already claimed by a push ('claimed') is in flight: it cannot be
 * edited, and its value lands in Salesforce over the one that won. So for
 * each field Salesforce won that such a row carries, the apply queues in its
 * own transaction, once the table holds Salesforce's value, one more change
 * (op update, state new) sending that value again. `sfsync.claim_outbox`
 * claims no 'new' row of a record while it has a 'claimed' one, so it is
 * sent after the change in flight; a change the app makes later is captured
 * after it and, merged in id order by the push, wins over it. Its `changed`
 * is built from the row as the capture trigger builds it
 * (`jsonb_build_object(<field>, <column>)`), its `old` is the value in flight
 * (the one that lost, which Salesforce holds once it lands): later decisions
 * compare against that. If the change in flight comes back to be retried
 * ('new' again, or recovered after a crash), the push merges it with the
 * re-send, whose later value wins. If it fails for good, the re-send still
 * goes (Salesforce already has the value: one redundant call); it is kept
 * because its success makes `sfsync.retry_failed` drop the field from the
 * failed change, so retrying that change never undoes the decision.
 * Nothing more is recorded in sfsync.conflicts for it: the decision is
 * recorded once, and the re-sent value comes back through the poll as an
 * echo (equal values, applied uncaptured).
 *
 * A row sent before with an unknown outcome ('new', `unknown_since`) is
 * treated the same way: it may be in Salesforce, and once the push settles
 * it the change feed copies it as it was sent. Dropping the field from it
 * would make that entry, appended after this apply's, say the field was
 * never set. It keeps its values; the re-send queued behind it is claimed
 * with it and merged after it, so the push sends Salesforce's value.
 */
import type pg from 'pg';
import { decideConflicts, type PendingChange } from './conflict-rules.js';
import type { InboundRow } from './record.js';
import { qualified } from './apply-sql.js';
import { dropFields, outboxSql } from '../outbox/outbox.js';
import type { InboundMapping } from './inbound-mapping.js';
import { withParentSfids } from '../mapping/local-reference.js';

interface OutboxRow {
  id: string;
  sfid: string;
  state: 'new' | 'claimed';
  op: PendingChange['op'];
  changed: Record<string, unknown>;
  old: Record<string, unknown> | null;
  created_at: Date;
  unknown_since: Date | null;
}

/** A field Salesforce won that the change in flight `outboxId` carries. */
export interface Resend {
  field: string;
  outboxId: string;
}

/** What the apply does about conflicts. */
export interface ConflictResolution {
  /** Per sfid with open outbox rows, the columns to keep as they are in Postgres (possibly none). Records without open rows are absent. */
  keep: Map<string, string[]>;
  /** Fields to send again once the apply has written them (outbox/outbox.ts `queueResend`). */
  resend: Resend[];
}

/**
 * Record the decisions, each once: a poll that sees the same Salesforce
 * version again while the Postgres change is still unsent (a drift re-poll)
 * decides the same conflict again; it is not recorded when the last decision
 * for that record and field has the same two values and outcome.
 * SQL text, not kysely: a jsonb recordset against each pair's last decision reads clearer so.
 */
const INSERT_CONFLICTS_SQL = `
insert into sfsync.conflicts (mapping_id, sfid, field, pg_value, sf_value, policy, decision)
select $1, c.sfid, c.field, c.pg_value, c.sf_value, $2, c.decision
from jsonb_to_recordset($3::jsonb) as c(sfid text, field text, pg_value jsonb, sf_value jsonb, decision text)
where not exists (
  select 1 from (select p.pg_value, p.sf_value, p.decision from sfsync.conflicts p
                  where p.mapping_id = $1 and p.sfid = c.sfid and p.field = c.field
                  order by p.id desc limit 1) last
   where last.pg_value is not distinct from c.pg_value and last.sf_value is not distinct from c.sf_value and last.decision = c.decision)`;

/**
 * Decide the page's conflicts, record them and drop the fields Salesforce won
 * from unsent outbox rows. The caller has locked the page's rows (lockRowsSql,
 * in applyRowsIn), so no app change of them commits between this read and the
 * apply's UPDATE, and no write-back holds their outbox rows meanwhile.
 */
export async function resolveConflicts(client: pg.PoolClient, mapping: InboundMapping, rows: readonly InboundRow[]): Promise<ConflictResolution> {
  const sfids = rows.map((r) => r.sfid);
  const { rows: open } = await client.query<OutboxRow>(outboxSql.openChangesOfSfids(qualified(mapping)), [mapping.id, sfids]);
  const resolution: ConflictResolution = { keep: new Map(), resend: [] };
  if (open.length === 0) return resolution;
  // `@<id>` lookups compare as the parent's sfid: a change that landed put that sfid in Salesforce, not `@<id>`.
  const values = await withParentSfids(client, mapping.connectionId, mapping.fields, [...open.map((o) => o.changed), ...open.map((o) => o.old ?? {})]);
  const bySfid = new Map<string, PendingChange[]>();
  for (const [i, o] of open.entries()) {
    const list = bySfid.get(o.sfid) ?? [];
    list.push({
      outboxId: o.id,
      state: o.state,
      op: o.op,
      changed: values[i]!,
      old: o.old && values[open.length + i]!,
      createdAt: o.created_at,
      unknownSince: o.unknown_since,
    });
    bySfid.set(o.sfid, list);
  }
  const conflicts: Array<{ sfid: string; field: string; pg_value: unknown; sf_value: unknown; decision: string }> = [];
  for (const row of rows) {
    const pending = bySfid.get(row.sfid);
    if (!pending) continue;
    const stamp = row.systemmodstamp ? new Date(`${row.systemmodstamp.replace(' ', 'T')}Z`) : null;
    const outcome = decideConflicts({ policy: mapping.policy, fields: mapping.fields, sfValues: row.values, sfModstamp: stamp, pending });
    resolution.keep.set(row.sfid, outcome.keepColumns);
    resolution.resend.push(...outcome.resend);
    for (const c of outcome.conflicts)
      conflicts.push({ sfid: row.sfid, field: c.field, pg_value: c.pgValue ?? null, sf_value: c.sfValue, decision: c.decision });
    if (outcome.dropFrom.length > 0) await dropFields(client, outcome.dropFrom, outcome.dropFromOutbox);
  }
  if (conflicts.length > 0) await client.query(INSERT_CONFLICTS_SQL, [mapping.id, mapping.policy, JSON.stringify(conflicts)]);
  return resolution;
}
