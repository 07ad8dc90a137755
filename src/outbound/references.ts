/**
 * Lookups to local parents not yet in Salesforce. A reference column may hold
 * `@<local id>` (or `@<Object>:<local id>` for a polymorphic lookup): the row
 * with that `id` in the mapped table of the referenced object, on the same
 * connection. Before a send, each such value is resolved:
 *
 * - the parent has an sfid: the child sends it;
 * - the parent has none, no open change (new/claimed) and a failed one: the
 *   child fails with PARENT_FAILED, naming the parent row, its failed change
 *   and the fix. The write-back puts it back to 'new' by itself when the
 *   parent later gets its sfid (write-back.ts, `settleChildren`);
 * - the parent has none, but its mapping has an External ID field (describe
 *   says `externalId`), the parent row holds a value in it, and the lookup is
 *   not polymorphic: the child goes at once by the relationship form,
 *   `{"Account": {"Ext_Id__c": "A-12"}}` in place of `AccountId` (Bulk CSV:
 *   an `Account.Ext_Id__c` column, send.ts). Salesforce finds the parent
 *   if it is there; if not (`INVALID_FIELD` "Foreign key external ID: A-12
 *   not found …"), the child's change waits and retries with back-off
 *   (WAITING_FOR_PARENT, state 'new', never failed);
 * - otherwise the child's change waits (WAITING_FOR_PARENT, state 'new',
 *   retried with back-off, never failed).
 *
 * After a successful send the child's column holds the parent's sfid instead
 * of `@…` (same write-back transaction, not captured). When the child went by
 * External ID, the write-back reads the parent row's sfid then; if the parent
 * has none yet (its own push is still on its way), the column keeps `@…`
 * until the child's next inbound poll brings the Id Salesforce stored. That
 * poll is an ordinary inbound update (no open outbox row touches the field,
 * so no conflict; inbound writes are not captured, so no echo). Rewriting
 * the children when the parent's sfid arrives instead would mean searching
 * every referencing column of every child table on each parent write-back.
 *
 * A parent row that does not exist fails the child with PARENT_NOT_FOUND.
 */
import { outboxSql } from '../outbox/outbox.js';
import pg from 'pg';
import { run, sfsync } from '../db/typed-query.js';
import type { FieldInfo } from '../mapping/field-info.js';
import { isStoredMappingUsable } from '../mapping/stored-mapping.js';
import { LOCAL_REFERENCE } from '../mapping/local-reference.js';
import type { PushMapping } from './claim.js';
import type { PushOp } from './send.js';

/** A parent row: its mapping and local id (kept in a PARENT_FAILED error, so its success can heal the child). */
export interface ParentRef {
  mappingId: string;
  recordId: string;
}

/** A resolved reference, for the write-back to store the parent's sfid in the child's column. */
export interface ResolvedReference {
  recordId: string;
  column: string;
  /** The `@…` value that was resolved (the column is only rewritten while it still holds it). */
  local: string;
  /** The parent's sfid; null when the child went by the parent's External ID (the write-back looks the sfid up). */
  sfid: string | null;
  /** The parent's table (quoted) and row id. */
  parent: { table: string; id: string };
}

/** Why a child fails without being sent. */
export interface ReferenceFailure {
  code: 'PARENT_NOT_FOUND' | 'PARENT_FAILED';
  message: string;
  parent?: ParentRef;
}

/** Outcome of resolving one batch. */
export interface ReferenceResolution {
  /** Ops whose references all resolved (bodies rewritten in place). */
  ready: PushOp[];
  /** Record id → why it waits (parent without sfid yet). */
  waiting: Map<string, string>;
  /** Record id → why it fails (no such parent row, no mapping for the object, the parent failed for good). */
  failed: Map<string, ReferenceFailure>;
  /** Record id → which of its references went by External ID (for a "not found" reply to wait instead of fail). */
  byExternalId: Map<string, string>;
  resolved: ResolvedReference[];
}

interface Wanted {
  op: PushOp;
  field: FieldInfo;
  local: string;
  object: string;
  id: string;
}

/** The parent's mapping: id, quoted table, and its External ID field and column (when describe marks it externalId). */
interface ParentMapping {
  id: string;
  table: string;
  externalIdField: string | null;
  extColumn: string | null;
}

interface ParentRow {
  sfid: string | null;
  /** The parent's External ID value (null without one). */
  ext: string | number | null;
  /** Set when the parent has no sfid, no open change and a failed one: the last failed change. */
  failed: { id: string; error: { code?: string; message?: string } | null } | null;
}

/** Resolve every `@…` reference of the ops' bodies (two queries per referenced object). */
export async function resolveReferences(db: pg.ClientBase, mapping: PushMapping, ops: PushOp[]): Promise<ReferenceResolution> {
  const out: ReferenceResolution = { ready: [], waiting: new Map(), failed: new Map(), byExternalId: new Map(), resolved: [] };
  const wanted: Wanted[] = [];
  const references = mapping.fieldInfo.filter((f) => f.type === 'reference' && !f.removed);
  for (const op of ops) {
    for (const field of references) {
      const value = op.body[field.name];
      const match = typeof value === 'string' ? LOCAL_REFERENCE.exec(value) : null;
      if (!match) continue;
      const object = match[1] ?? (field.referenceTo.length === 1 ? field.referenceTo[0] : undefined);
      if (!object)
        out.failed.set(op.recordId, {
          code: 'PARENT_NOT_FOUND',
          message: `${field.name} = ${String(value)}: a polymorphic lookup needs @<Object>:<id>, one of ${field.referenceTo.join(', ')}.`,
        });
      else wanted.push({ op, field, local: String(value), object, id: match[2]! });
    }
  }
  if (wanted.length === 0) return { ...out, ready: ops.filter((o) => !out.failed.has(o.recordId)) };
  for (const object of new Set(wanted.map((w) => w.object))) {
    const some = wanted.filter((w) => w.object === object);
    const parent = await parentMapping(db, mapping.connectionId, object);
    const rows = parent
      ? await parentRows(
          db,
          parent,
          some.map((w) => w.id),
        )
      : undefined;
    for (const w of some) resolveOne(out, w, parent, rows?.get(w.id));
  }
  const pending = (id: string) => out.failed.has(id) || out.waiting.has(id);
  out.ready = ops.filter((o) => !pending(o.recordId));
  out.resolved = out.resolved.filter((r) => !pending(r.recordId));
  for (const id of out.byExternalId.keys()) if (pending(id)) out.byExternalId.delete(id);
  return out;
}

function resolveOne(out: ReferenceResolution, w: Wanted, parent: ParentMapping | undefined, row: ParentRow | undefined): void {
  const what = `${w.field.name} = ${w.local}`;
  if (!parent) out.failed.set(w.op.recordId, { code: 'PARENT_NOT_FOUND', message: `${what}: no mapping of ${w.object} on this connection holds local rows.` });
  else if (!row) out.failed.set(w.op.recordId, { code: 'PARENT_NOT_FOUND', message: `${what}: no ${w.object} row has id ${w.id}.` });
  else if (row.sfid) {
    w.op.body[w.field.name] = row.sfid;
    out.resolved.push({ recordId: w.op.recordId, column: w.field.column, local: w.local, sfid: row.sfid, parent: { table: parent.table, id: w.id } });
  } else if (row.failed) {
    out.failed.set(w.op.recordId, {
      code: 'PARENT_FAILED',
      message: parentFailedMessage(what, w.object, w.id, parent.table, row.failed),
      parent: { mappingId: parent.id, recordId: w.id },
    });
  } else if (parent.externalIdField && row.ext !== null && row.ext !== '' && w.field.relationshipName && w.field.referenceTo.length === 1) {
    delete w.op.body[w.field.name];
    w.op.body[w.field.relationshipName] = { [parent.externalIdField]: row.ext };
    const sent = `${what} sent as ${w.field.relationshipName}.${parent.externalIdField} = ${String(row.ext)}`;
    out.byExternalId.set(w.op.recordId, [out.byExternalId.get(w.op.recordId), sent].filter(Boolean).join('; '));
    out.resolved.push({ recordId: w.op.recordId, column: w.field.column, local: w.local, sfid: null, parent: { table: parent.table, id: w.id } });
  } else {
    out.waiting.set(w.op.recordId, `${what}: waiting for the ${w.object} row ${w.id} to reach Salesforce.`);
  }
}

/** One line naming the parent row, its failed change and the fix. */
function parentFailedMessage(what: string, object: string, id: string, table: string, failed: NonNullable<ParentRow['failed']>): string {
  const row = `the ${object} row ${id} (${table.replaceAll('"', '')})`;
  const cause = failed.error?.code
    ? ` with ${failed.error.code}${failed.error.message ? ` (${failed.error.message.replace(/\s+/g, ' ').slice(0, 200)})` : ''}`
    : '';
  return `${what}: ${row} is not in Salesforce: its change ${failed.id} failed${cause}. Fix that row, then \`sfsync errors retry --id ${failed.id}\`; this change follows by itself once the parent has its Salesforce Id.`;
}

/**
 * A "not found" reply to a child sent by External ID: the parent is not in
 * Salesforce (yet). Salesforce answers `INVALID_FIELD` with
 * `Foreign key external ID: A-12 not found for field Ext_Id__c in entity Account`.
 */
export function isForeignKeyNotFound(error: { code: string; message: string }): boolean {
  return error.code === 'INVALID_FIELD' && /^Foreign key external ID: .* not found for field /s.test(error.message);
}

/** The body without `@…` local references: a lookup compares the other values (the record holds the parent's Id, unknown here). */
export function withoutLocalReferences(mapping: PushMapping, body: PushOp['body']): PushOp['body'] {
  const references = new Set(mapping.fieldInfo.filter((f) => f.type === 'reference').map((f) => f.name));
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => !(references.has(k) && typeof v === 'string' && LOCAL_REFERENCE.test(v))));
}

/** The body without relationship-form values (for matching sent fields against queried records, which hold the lookup's Id instead). */
export function withoutRelationships(body: PushOp['body']): PushOp['body'] {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v === null || typeof v !== 'object' || v instanceof Date));
}

/** The referenced object's mapping on the connection (the first by id), or undefined. */
async function parentMapping(db: pg.ClientBase, connectionId: string, object: string): Promise<ParentMapping | undefined> {
  const rows = await run(
    db,
    sfsync
      .selectFrom('mappings')
      .select(['id', 'sobject', 'schema_name', 'table_name', 'external_id_field', 'field_info'])
      .where('connection_id', '=', connectionId)
      .where((eb) => eb(eb.fn('lower', ['sobject']), '=', eb.fn('lower', [eb.val(object)])))
      .orderBy('id')
      .limit(1),
  );
  const m = rows[0];
  if (!m || !isStoredMappingUsable(m)) return undefined; // an unusable parent row is treated as unmapped until re-applied
  const ext = m.external_id_field?.toLowerCase();
  const extField = ext === undefined ? undefined : (m.field_info as FieldInfo[]).find((f) => f.name.toLowerCase() === ext && f.externalId && !f.removed);
  return {
    id: m.id,
    table: `${pg.escapeIdentifier(m.schema_name)}.${pg.escapeIdentifier(m.table_name)}`,
    externalIdField: extField?.name ?? null,
    extColumn: extField?.column ?? null,
  };
}

/**
 * Local id → the parent row's sfid, External ID value, and (without sfid nor
 * open change) its last failed change. Each outbox question names the states
 * it wants, so it reaches a partial index on them.
 */
async function parentRows(db: pg.ClientBase, parent: ParentMapping, ids: string[]): Promise<Map<string, ParentRow>> {
  const ext = parent.extColumn ? `to_jsonb(t.${pg.escapeIdentifier(parent.extColumn)})` : `'null'::jsonb`;
  const { rows } = await db.query<{ id: string; sfid: string | null; ext: string | number | null; failed: ParentRow['failed'] }>(
    `select t.id::text as id, t.sfid, ${ext} as ext,
            case when t.sfid is null and not ${outboxSql.openChangeExists('$2', 't.id')}
              then ${outboxSql.lastFailedChange('$2', 't.id')}
            end as failed
       from ${parent.table} t where t.id = any($1::bigint[])`,
    [ids, parent.id],
  );
  return new Map(rows.map((r) => [r.id, { sfid: r.sfid, ext: r.ext, failed: r.failed }]));
}
