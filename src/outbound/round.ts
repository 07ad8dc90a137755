/**
 * One push round over claimed changes: coalesce per record, build the
 * Salesforce operations, resolve lookups to local parents (references.ts),
 * look up inserts of unknown outcome, send, and write every outcome back.
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import type { SalesforceClient, SfRow } from '../salesforce/salesforce-client.js';
import { coalesceChanges, type CoalescedChange, type OutboxChange } from './coalesce.js';
import { toSalesforceRecord } from './values.js';
import { currentSfids, type PushMapping } from './claim.js';
import { findCreated, findUpserted, UNKNOWN_OUTCOME_SETTLE_MS } from './find-created-records.js';
import { isForeignKeyNotFound, resolveReferences, withoutLocalReferences, withoutRelationships } from './references.js';
import { sendOps, type PushOp, type PushOutcome } from './send.js';
import { pauseConnection, writeBack, type RecordResultRow, type WriteBackPart } from './write-back.js';
import { claimFamilies, type Family } from './claim-families.js';
import { sendFamilies, type FamilyOutcomes } from './send-families.js';

/** What a round did, for logs, metrics and the caller's loop. */
export interface RoundResult {
  records: number;
  sent: number;
  api: 'collections' | 'bulk' | 'graph' | 'none';
  /** Set when Salesforce said REQUEST_LIMIT_EXCEEDED: pushes of the connection wait until then. */
  pausedUntil?: Date;
  /** The earliest retry time of a record sent back to 'new'. */
  retryAt?: Date;
}

/** Push one claimed batch. */
export async function pushRound(
  db: pg.ClientBase,
  sf: SalesforceClient,
  mapping: PushMapping,
  groups: OutboxChange[][],
  config: SfsyncConfig['push'] & { feed?: boolean; claimedBy?: string },
): Promise<RoundResult> {
  const changes = groups.map(coalesceChanges);
  const sfids = await currentSfids(
    db,
    mapping,
    changes.map((c) => c.recordId),
  );
  await reinsertValues(
    db,
    mapping,
    changes.filter((c) => c.op === 'update' && !sfids.has(c.recordId)),
  );
  const results: RecordResultRow[] = [];
  const unsettledDeletes = await findDeletedUnknowns(sf, db, mapping, changes, sfids);
  let ops: PushOp[] = [];
  const byRecord = new Map<string, CoalescedChange>(changes.map((c) => [c.recordId, c]));
  for (const change of changes) {
    if (unsettledDeletes.has(change.recordId)) {
      results.push({ change, outcome: { kind: 'retry', error: settling } });
      continue;
    }
    const built = buildOp(mapping, change, sfids.get(change.recordId) ?? null);
    if ('outcome' in built) results.push({ change, outcome: built.outcome });
    else ops.push(built);
  }
  const refs = await resolveReferences(db, mapping, ops);
  for (const [recordId, message] of refs.waiting)
    results.push({ change: byRecord.get(recordId)!, outcome: { kind: 'wait', error: { code: 'WAITING_FOR_PARENT', message } } });
  for (const [recordId, error] of refs.failed) results.push({ change: byRecord.get(recordId)!, outcome: { kind: 'failed', error } });
  ops = refs.ready;
  const unknown = ops.filter((o) => (o.kind === 'create' || o.kind === 'upsert') && byRecord.get(o.recordId)?.unknownSince);
  const lookups = (kind: PushOp['kind']) =>
    unknown
      .filter((o) => o.kind === kind)
      // A parent sent by External ID is matched by the other fields only: the queried record holds the lookup's Id.
      .map((o) => ({ recordId: o.recordId, body: withoutRelationships(o.body), since: byRecord.get(o.recordId)!.unknownSince! }));
  const found = new Map([...(await findCreated(sf, db, mapping, lookups('create'))), ...(await findUpserted(sf, db, mapping, lookups('upsert')))]);
  // A live record an upsert created is matched by the upsert again: it is sent (with the latest values), creating nothing.
  const creates = new Set(unknown.filter((o) => o.kind === 'create').map((o) => o.recordId));
  const adopted = new Map([...found].filter(([recordId, record]) => record.deleted || creates.has(recordId)));
  // A deleted one: the insert happened and Salesforce deleted the record since. Settled with its Id, never sent
  // again (an upsert would not match a record in the recycle bin and would create a copy); write-back.ts deletes the row.
  for (const [recordId, record] of adopted)
    results.push({
      change: byRecord.get(recordId)!,
      outcome: { kind: 'success', sfid: record.sfid, ...(record.deleted ? { deletedInSalesforce: true } : {}) },
    });
  // Not found yet, but the lost call may still commit: look again later instead of creating it twice.
  const unsettled = new Set(unknown.filter((o) => !found.has(o.recordId) && !settled(byRecord.get(o.recordId)!)).map((o) => o.recordId));
  for (const recordId of unsettled) results.push({ change: byRecord.get(recordId)!, outcome: { kind: 'retry', error: settling } });
  const toSend = ops.filter((o) => !adopted.has(o.recordId) && !unsettled.has(o.recordId));
  // New parents with new children go as composite graphs (claim-families.ts), unless the round is Bulk-sized (fewer calls that way).
  const families: Family[] =
    config.compositeGraphs && config.claimedBy && toSend.length <= config.bulkThreshold ? await claimFamilies(db, mapping, toSend, config.claimedBy) : [];
  const inGraphs = new Set(families.map((f) => f.parent.recordId));
  const rest = toSend.filter((o) => !inGraphs.has(o.recordId));
  // Each call's records are written back as soon as it returns, one transaction at a time on this connection,
  // while the other calls are in flight: a round's write-back no longer waits for its slowest call, and the
  // round ends one short transaction after its last call instead of one write-back of all its records.
  const outcomeOf = (op: PushOp, outcome: PushOutcome | undefined): RecordResultRow => ({
    change: byRecord.get(op.recordId)!,
    outcome: parentNotThereYet(outcome ?? { kind: 'retry', error: { code: 'NO_RESULT', message: 'no outcome' } }, refs.byExternalId.get(op.recordId)),
  });
  const writes = serialWrites();
  // The outcomes known without a call go first: a child failed here (PARENT_FAILED) must be written before its
  // parent's write-back below heals it (write-back.ts, settleChildren).
  const known = [...results];
  if (known.length > 0) writes.add(() => writeBack(db, mapping, known, config, refs.resolved));
  const sending =
    rest.length > 0
      ? sendOps(
          sf,
          rest,
          { ...config, sobject: mapping.sobject, externalIdField: mapping.externalIdField, connectionId: mapping.connectionId },
          (part, outcomes) => {
            const rows = part.map((op) => outcomeOf(op, outcomes.get(op.recordId)));
            results.push(...rows);
            writes.add(() => writeBack(db, mapping, rows, config, refs.resolved));
          },
        )
      : Promise.resolve({ outcomes: new Map<string, PushOutcome>(), api: families.length > 0 ? ('graph' as const) : ('none' as const) });
  // The graphs share the connection's limiter with the other calls; each family's parents and children are written in one transaction.
  const graphing = sendFamilies(sf, mapping.sobject, families, { concurrency: config.concurrency, connectionId: mapping.connectionId }).then((graphs) => {
    const rows = families.map((f) => outcomeOf(f.parent, graphs.parents.get(f.parent.recordId)));
    results.push(...rows);
    if (rows.length > 0) writes.add(() => writeBack(db, mapping, rows, config, refs.resolved, childParts(mapping, families, graphs)));
    return graphs;
  });
  // Both settle before anything is thrown: a write-back still queued must not outlive the round on a released connection.
  const [sent, graphed] = await Promise.allSettled([sending, graphing]);
  await writes.done();
  if (sent.status === 'rejected') throw sent.reason;
  if (graphed.status === 'rejected') throw graphed.reason;
  const { outcomes, api } = sent.value;
  const graphs = graphed.value;
  for (const [recordId, outcome] of graphs.parents) outcomes.set(recordId, outcome);
  let pausedUntil: Date | undefined;
  if ([...outcomes.values()].some((o) => o.kind === 'limit')) {
    // Pause for retryMaxMs, at most a minute: Salesforce's 24-hour window frees calls continuously.
    pausedUntil = new Date(Date.now() + Math.min(config.retryMaxMs, 60_000));
    await pauseConnection(db, mapping.connectionId, pausedUntil);
  }
  const retrying = results.filter((r) => !['success', 'none', 'failed'].includes(r.outcome.kind));
  return {
    records: changes.length,
    sent: toSend.length,
    api,
    ...(pausedUntil ? { pausedUntil } : {}),
    ...(retrying.length > 0 ? { retryAt: new Date(Date.now() + config.retryBaseMs) } : {}),
  };
}

/**
 * Write-backs run one after another (they share the job's connection and
 * each is a transaction). The first failure stops the rest and is thrown by
 * `done()`; the caller's error path hands the unwritten claims back.
 */
function serialWrites(): { add: (write: () => Promise<void>) => void; done: () => Promise<void> } {
  let chain = Promise.resolve();
  return {
    add(write) {
      chain = chain.then(write);
      // Observed here so a failure is not an unhandled rejection before done() awaits it.
      chain.catch(() => undefined);
    },
    done: () => chain,
  };
}

/**
 * The children the graphs carried, per child mapping, for the write-back: each
 * child's outcome, and (sent) its lookup now holding the parent's sfid.
 */
function childParts(mapping: PushMapping, families: Family[], graphs: FamilyOutcomes): WriteBackPart[] {
  const parts = new Map<string, WriteBackPart>();
  for (const family of families) {
    const parent = graphs.parents.get(family.parent.recordId);
    for (const child of family.children) {
      const part = parts.get(child.mapping.id) ?? { mapping: child.mapping, rows: [], references: [] };
      parts.set(child.mapping.id, part);
      const outcome = graphs.children.get(child) ?? { kind: 'retry', error: { code: 'NO_RESULT', message: 'no outcome' } };
      part.rows.push({ change: child.change, outcome });
      part.references.push(...child.resolved);
      if (outcome.kind === 'success' && parent?.kind === 'success')
        part.references.push({
          recordId: child.change.recordId,
          column: child.field.column,
          local: child.local,
          sfid: parent.sfid,
          parent: { table: mapping.table, id: family.parent.recordId },
        });
    }
  }
  return [...parts.values()];
}

/** Why a change whose earlier send has an unknown outcome is retried instead of sent. */
const settling = {
  code: 'OUTCOME_UNKNOWN',
  message: 'The last send of this insert may still commit in Salesforce: it is looked up again (with back-off) before it is sent again.',
};

/** True once a lookup that found nothing can be trusted (UNKNOWN_OUTCOME_SETTLE_MS after the claim). */
function settled(change: CoalescedChange): boolean {
  return change.unknownSince === null || Date.now() - change.unknownSince.getTime() >= UNKNOWN_OUTCOME_SETTLE_MS;
}

/**
 * Rows deleted while their insert's outcome was unknown (coalesce keeps the
 * insert's values as `createdValues`): look up the record the lost call may
 * have made, by those values, and add its sfid to `sfids` so the delete goes
 * to it. Returns the records not found yet whose lookup cannot be trusted yet.
 */
async function findDeletedUnknowns(
  sf: SalesforceClient,
  db: pg.ClientBase,
  mapping: PushMapping,
  changes: CoalescedChange[],
  sfids: Map<string, string>,
): Promise<Set<string>> {
  const unsure = changes.filter((c) => c.op === 'delete' && c.createdValues && c.unknownSince && !c.sfid && !sfids.has(c.recordId));
  if (unsure.length === 0) return new Set();
  // Looked up as the insert went: by External ID when it went as an upsert, else by the values; a parent
  // still named `@<id>` is left out (the record holds its Id).
  const ext = mapping.externalIdField;
  const requests = unsure.map((c) => ({
    recordId: c.recordId,
    body: withoutLocalReferences(mapping, withoutRelationships(toSalesforceRecord(mapping.fieldInfo, c.createdValues!, 'insert'))),
    since: c.unknownSince!,
  }));
  const upserted = requests.filter((r) => ext && r.body[ext] !== undefined && r.body[ext] !== null);
  // A record found deleted already takes the delete all the same: Salesforce answers ENTITY_IS_DELETED, which settles it (send.ts).
  const found = new Map([
    ...(await findCreated(
      sf,
      db,
      mapping,
      requests.filter((r) => !upserted.includes(r)),
    )),
    ...(await findUpserted(sf, db, mapping, upserted)),
  ]);
  for (const [recordId, record] of found) sfids.set(recordId, record.sfid);
  return new Set(unsure.filter((c) => !found.has(c.recordId) && !settled(c)).map((c) => c.recordId));
}

/**
 * A child sent by its parent's External ID that Salesforce could not find
 * (the parent is not there yet) waits and retries with back-off instead of
 * failing: WAITING_FOR_PARENT, state 'new'.
 */
function parentNotThereYet(outcome: PushOutcome, sentByExternalId: string | undefined): PushOutcome {
  if (sentByExternalId === undefined || outcome.kind !== 'failed' || !isForeignKeyNotFound(outcome.error)) return outcome;
  return {
    kind: 'retry',
    error: { code: 'WAITING_FOR_PARENT', message: `${sentByExternalId}: the parent is not in Salesforce yet (${outcome.error.message}).` },
  };
}

/** The operation for one record, or its outcome when nothing needs sending. */
function buildOp(mapping: PushMapping, change: CoalescedChange, knownSfid: string | null): PushOp | { outcome: RecordResultRow['outcome'] } {
  const sfid = change.op === 'delete' ? (change.sfid ?? knownSfid) : (knownSfid ?? change.sfid);
  if (change.op === 'none') return { outcome: { kind: 'none' } };
  if (change.op === 'delete') return sfid ? { recordId: change.recordId, kind: 'delete', body: {}, sfid } : { outcome: { kind: 'none' } };
  if (sfid) {
    const body: SfRow = toSalesforceRecord(mapping.fieldInfo, change.values, 'update');
    if (Object.keys(body).length === 0) return { outcome: { kind: 'success', sfid } };
    return { recordId: change.recordId, kind: 'update', body: { Id: sfid, ...body }, sfid };
  }
  const body = toSalesforceRecord(mapping.fieldInfo, change.values, 'insert');
  const ext = mapping.externalIdField;
  if (ext && body[ext] !== undefined && body[ext] !== null) return { recordId: change.recordId, kind: 'upsert', body };
  return { recordId: change.recordId, kind: 'create', body };
}

/**
 * An update of a row that has no Salesforce Id (its insert failed for good,
 * then the app fixed the row) becomes an insert of the row's current mapped
 * values; the failed insert is folded into it on success (write-back).
 */
async function reinsertValues(db: pg.ClientBase, mapping: PushMapping, changes: CoalescedChange[]): Promise<void> {
  if (changes.length === 0) return;
  const { rows } = await db.query<{ id: string; row: Record<string, unknown> }>(
    `select t.id::text, to_jsonb(t) as row from ${mapping.table} t where t.id = any($1::bigint[])`,
    [changes.map((c) => c.recordId)],
  );
  const current = new Map(rows.map((r) => [r.id, r.row]));
  for (const change of changes) {
    const row = current.get(change.recordId);
    if (!row) continue;
    change.op = 'insert';
    change.reinsert = true;
    for (const f of mapping.fieldInfo) if (row[f.column] !== null && row[f.column] !== undefined) change.values[f.name] = row[f.column];
  }
}
