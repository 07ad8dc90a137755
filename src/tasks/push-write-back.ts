/**
 * Record a push round's outcomes in ONE transaction, with
 * `sfsync.origin = 'sfsync'` so the table updates are not captured again:
 * outbox rows → success/merged/failed, or back to 'new' with back-off;
 * the mapped rows → sfid, `_sfsync_state`, `_sfsync_error`.
 */
import pg from 'pg';
import type { CoalescedChange } from '../sync/coalesce-changes.js';
import { backoffMs } from '../sync/push-values.js';
import type { PushOutcome } from './push-send.js';
import type { PushMapping } from './push-claim.js';
import type { ResolvedReference } from './push-references.js';

/** One record's result to write back. */
export interface RecordResultRow {
  change: CoalescedChange;
  outcome: PushOutcome | { kind: 'none' } | { kind: 'wait'; error: { code: string; message: string } };
}

/** Back-off settings (config.push). */
export interface BackoffSettings {
  retryBaseMs: number;
  retryMaxMs: number;
}

interface OutboxUpdate { ids: string[]; states: string[]; sfids: Array<string | null>; errors: Array<string | null>; incs: number[]; nexts: Array<Date | null>; unknown: boolean[] }
interface TableUpdate { ids: string[]; sfids: Array<string | null>; states: string[]; errors: Array<string | null> }

/** Write back every record's outcome. */
export async function writeBack(client: pg.ClientBase, mapping: PushMapping, rows: RecordResultRow[], backoff: BackoffSettings, references: ResolvedReference[] = []): Promise<void> {
  const o: OutboxUpdate = { ids: [], states: [], sfids: [], errors: [], incs: [], nexts: [], unknown: [] };
  const t: TableUpdate = { ids: [], sfids: [], states: [], errors: [] };
  for (const { change, outcome } of rows) {
    const last = change.rowIds.at(-1);
    const error = 'error' in outcome ? JSON.stringify(outcome.error) : null;
    const sfid = outcome.kind === 'success' ? outcome.sfid : null;
    const done = outcome.kind === 'success' || outcome.kind === 'none' || outcome.kind === 'failed';
    const state = outcome.kind === 'failed' ? 'failed' : done ? 'success' : 'new';
    const inc = outcome.kind === 'limit' || outcome.kind === 'wait' ? 0 : done ? 0 : 1;
    const next = done ? null : new Date(Date.now() + backoffMs(change.attempts + 1, backoff.retryBaseMs, backoff.retryMaxMs));
    for (const id of change.rowIds) {
      o.ids.push(id);
      o.states.push(state === 'success' && id !== last ? 'merged' : state);
      o.sfids.push(sfid);
      o.errors.push(error);
      o.incs.push(inc);
      o.nexts.push(next);
      o.unknown.push(outcome.kind === 'unknown');
    }
    for (const id of change.deferredIds) {
      o.ids.push(id); o.states.push('new'); o.sfids.push(null); o.errors.push(null); o.incs.push(0); o.nexts.push(null); o.unknown.push(false);
    }
    if (change.op !== 'delete' && change.op !== 'none' && (done || outcome.kind !== 'wait')) {
      t.ids.push(change.recordId);
      t.sfids.push(sfid);
      t.states.push(outcome.kind === 'success' ? 'synced' : outcome.kind === 'failed' ? 'failed' : 'pending');
      t.errors.push(outcome.kind === 'failed' || outcome.kind === 'retry' || outcome.kind === 'limit' || outcome.kind === 'unknown' ? error : null);
    }
  }
  await client.query('begin');
  try {
    await client.query(`set local sfsync.origin = 'sfsync'`);
    await client.query(
      `update sfsync.outbox o
          set state = u.state, sfid = coalesce(u.sfid, o.sfid), error = u.error, attempts = o.attempts + u.inc,
              next_attempt_at = coalesce(u.next, o.next_attempt_at),
              unknown_since = case when u.unknown then coalesce(o.unknown_since, o.claimed_at) when u.state = 'new' then o.unknown_since end,
              done_at = case when u.state in ('success', 'merged', 'failed') then now() end,
              claimed_by = null, claimed_pid = null
         from unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[], $5::int[], $6::timestamptz[], $7::boolean[]) u(id, state, sfid, error, inc, next, unknown)
        where o.id = u.id`,
      [o.ids, o.states, o.sfids, o.errors, o.incs, o.nexts, o.unknown],
    );
    const reinserted = rows.filter((r) => r.change.reinsert && r.outcome.kind === 'success').map((r) => r.change.recordId);
    if (reinserted.length > 0) {
      // The earlier failed changes of a re-inserted row are in the insert now.
      await client.query(`update sfsync.outbox set state = 'merged', done_at = now() where mapping_id = $1 and record_id = any($2::bigint[]) and state = 'failed'`, [mapping.id, reinserted]);
    }
    if (t.ids.length > 0) {
      await client.query(
        `update ${mapping.table} t
            set sfid = coalesce(u.sfid, t.sfid), _sfsync_error = u.error,
                _sfsync_state = case when u.state = 'synced' and exists (select 1 from sfsync.outbox x where x.mapping_id = $5 and x.record_id = t.id and x.state = 'new') then 'pending' else u.state end
           from unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[]) u(id, sfid, state, error)
          where t.id = u.id`,
        [t.ids, t.sfids, t.states, t.errors, mapping.id],
      );
    }
    await storeReferences(client, mapping, rows, references);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/** Pause every push of the connection until `until` (REQUEST_LIMIT_EXCEEDED); visible in sfsync.outbox_status. */
export async function pauseConnection(client: pg.ClientBase, connectionId: string, until: Date): Promise<void> {
  await client.query('update sfsync.connections set push_paused_until = greatest(push_paused_until, $2) where id = $1', [connectionId, until]);
  await client.query('update sfsync.connections set push_paused_until = $2 where id = $1 and push_paused_until is null', [connectionId, until]);
}

/**
 * Sent children keep the parent's sfid instead of `@<local id>` (same
 * transaction, not captured), so the column matches what Salesforce holds
 * when the next poll compares them; a column the app changed since is left alone.
 */
async function storeReferences(client: pg.ClientBase, mapping: PushMapping, rows: RecordResultRow[], references: ResolvedReference[]): Promise<void> {
  const sent = new Set(rows.filter((r) => r.outcome.kind === 'success').map((r) => r.change.recordId));
  const done = references.filter((r) => sent.has(r.recordId));
  for (const column of new Set(done.map((r) => r.column))) {
    const some = done.filter((r) => r.column === column);
    const col = pg.escapeIdentifier(column);
    await client.query(
      `update ${mapping.table} t set ${col} = u.sfid from unnest($1::bigint[], $2::text[], $3::text[]) u(id, local, sfid) where t.id = u.id and t.${col} = u.local`,
      [some.map((r) => r.recordId), some.map((r) => r.local), some.map((r) => r.sfid)],
    );
  }
}
