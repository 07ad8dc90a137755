/**
 * Send coalesced changes to Salesforce: sObject Collections (≤ batchSize
 * records per call, up to `concurrency` calls in flight per connection) or,
 * above the bulk threshold, one Bulk API 2.0 ingest job per operation. Every
 * record gets an outcome; nothing here touches Postgres.
 *
 * A parent referenced by External ID travels as JSON in Collections
 * (`"Account": {"Ext_Id__c": "A-12"}`) and as a `RelationshipName.Field`
 * column in Bulk CSV (`Account.Ext_Id__c`). A Bulk job never mixes that
 * column with the lookup's own (`AccountId`): records are split into one job
 * per set of relationship columns, since both would set the same field.
 */
import { classifyCallError, classifyRecordError, describeError } from '../salesforce/errors.js';
import type { RecordResult, SalesforceClient, SfRow } from '../salesforce/salesforce-client.js';
import { connectionLimiter } from './limiter.js';

/** One record's operation as sent. */
export interface PushOp {
  recordId: string;
  kind: 'create' | 'upsert' | 'update' | 'delete';
  /** The record body (with `Id` for update); empty for delete. */
  body: SfRow;
  sfid?: string;
}

/**
 * What happened to one operation. `deletedInSalesforce`: an insert of unknown
 * outcome whose record the lookup found deleted since (round.ts).
 */
export type PushOutcome =
  { kind: 'success'; sfid: string; deletedInSalesforce?: boolean } | { kind: 'failed' | 'retry' | 'limit' | 'unknown'; error: PushError };

/** An outcome's error, as stored in `outbox.error`; `parent` names the parent row of a PARENT_FAILED child. */
export interface PushError {
  code: string;
  message: string;
  fields?: string[];
  parent?: { mappingId: string; recordId: string };
}

/** Tuning of one send (config.push). */
export interface SendOptions {
  sobject: string;
  externalIdField: string | null;
  batchSize: number;
  concurrency: number;
  bulkThreshold: number;
  connectionId: string;
}

/**
 * Send every op; outcomes keyed by record id. Returns also the API used.
 * `onSent` is told of each call's ops as soon as their outcomes are in
 * `outcomes`, so the caller can write them back while other calls are in flight.
 */
export async function sendOps(
  client: SalesforceClient,
  ops: PushOp[],
  options: SendOptions,
  onSent: (part: PushOp[], outcomes: ReadonlyMap<string, PushOutcome>) => void = () => undefined,
): Promise<{ outcomes: Map<string, PushOutcome>; api: 'collections' | 'bulk' }> {
  const outcomes = new Map<string, PushOutcome>();
  const api = ops.length > options.bulkThreshold ? 'bulk' : 'collections';
  const groups = (['create', 'upsert', 'update', 'delete'] as const).map((kind) => ops.filter((o) => o.kind === kind)).filter((g) => g.length > 0);
  const limiter = connectionLimiter(options.connectionId, options.concurrency);
  const parts = groups.flatMap((group) => (api === 'bulk' ? byRelationshipColumns(group) : chunk(group, options.batchSize)));
  // Every call goes through the per-connection limiter at once: it keeps `concurrency` calls in flight across all
  // mappings of the connection, starting the next as soon as one returns. (Waves of `concurrency` calls waited for
  // the slowest of each wave: 14 % slower with Salesforce's jittered round trips.) The calls of one round are
  // independent: each record appears once, and a child whose parent has no sfid yet is not in the round.
  await Promise.all(
    parts.map((part) =>
      limiter(async () => {
        const results = await callFor(client, part, api, options).catch((error: unknown) => error as Error);
        part.forEach((op, i) => outcomes.set(op.recordId, results instanceof Error ? callOutcome(results, op) : recordOutcome(results[i], op)));
        onSent(part, outcomes);
      }),
    ),
  );
  return { outcomes, api };
}

function callFor(client: SalesforceClient, ops: PushOp[], api: 'collections' | 'bulk', options: SendOptions): Promise<RecordResult[]> {
  const kind = ops[0]!.kind;
  const bodies = ops.map((o) => o.body);
  if (api === 'bulk') {
    const operation = kind === 'create' ? 'insert' : kind;
    const records = kind === 'delete' ? ops.map((o) => ({ Id: o.sfid })) : bodies.map(csvRecord);
    return client.bulkIngest(options.sobject, operation, records, kind === 'upsert' ? { externalIdField: options.externalIdField! } : {});
  }
  switch (kind) {
    case 'create':
      return client.create(options.sobject, bodies);
    case 'upsert':
      return client.upsert(options.sobject, options.externalIdField!, bodies);
    case 'update':
      return client.update(options.sobject, bodies);
    case 'delete':
      return client.destroy(ops.map((o) => o.sfid!));
  }
}

/** The outcome of an op whose call failed as a whole (an insert: unknown when the reply was lost). */
export function callOutcome(error: Error, op: PushOp): PushOutcome {
  const kind = classifyCallError(error, { write: true });
  const described = describeError(error);
  if (kind === 'permanent') return { kind: 'failed', error: described };
  // An insert (create, or upsert: it matches no record in the recycle bin) is looked up before it is sent again.
  if (kind === 'unknown_outcome') return { kind: op.kind === 'create' || op.kind === 'upsert' ? 'unknown' : 'retry', error: described };
  return { kind: kind === 'limit' ? 'limit' : 'retry', error: described };
}

/** The outcome of an op from its record result. */
export function recordOutcome(result: RecordResult | undefined, op: PushOp): PushOutcome {
  if (result === undefined) return { kind: 'retry', error: { code: 'NO_RESULT', message: 'Salesforce returned no result for this record.' } };
  if (result.success) return { kind: 'success', sfid: result.id || op.sfid || '' };
  const first = result.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'no error detail', fields: [] };
  // A delete whose record is already gone (a retried delete whose first reply was lost) has succeeded.
  if (op.kind === 'delete' && (first.statusCode === 'ENTITY_IS_DELETED' || first.statusCode === 'INVALID_CROSS_REFERENCE_KEY'))
    return { kind: 'success', sfid: op.sfid ?? '' };
  const error = { code: first.statusCode, message: first.message, ...(first.fields.length ? { fields: first.fields } : {}) };
  if (first.statusCode === 'UNPROCESSED') return { kind: 'retry', error };
  const kind = classifyRecordError(first.statusCode);
  return { kind: kind === 'permanent' ? 'failed' : kind === 'limit' ? 'limit' : 'retry', error };
}

/** A body as Bulk CSV columns: `{Account: {Ext_Id__c: 'A-12'}}` becomes `{'Account.Ext_Id__c': 'A-12'}`. */
function csvRecord(body: SfRow): SfRow {
  const out: SfRow = {};
  for (const [key, value] of Object.entries(body)) {
    if (isRelationship(value)) for (const [field, v] of Object.entries(value)) out[`${key}.${field}`] = v;
    else out[key] = value;
  }
  return out;
}

function isRelationship(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** Ops split so that each Bulk job has one set of relationship columns (none, in most jobs). */
function byRelationshipColumns(ops: PushOp[]): PushOp[][] {
  const groups = new Map<string, PushOp[]>();
  for (const op of ops) {
    const key = Object.keys(op.body)
      .filter((k) => isRelationship(op.body[k]))
      .sort()
      .join(',');
    const group = groups.get(key);
    if (group) group.push(op);
    else groups.set(key, [op]);
  }
  return [...groups.values()];
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
