/**
 * Lookups to local parents not yet in Salesforce. A reference column may hold
 * `@<local id>` (or `@<Object>:<local id>` for a polymorphic lookup): the row
 * with that `id` in the mapped table of the referenced object, on the same
 * connection. Before a send, each such value becomes the parent's sfid; while
 * the parent has none yet, the child's operation is not sent and its changes
 * wait (state 'new', retried with back-off, never 'failed'). A parent row
 * that does not exist fails the child with PARENT_NOT_FOUND.
 */
import pg from 'pg';
import type { FieldInfo } from '../mapping/field-info.js';
import type { PushMapping } from './push-claim.js';
import type { PushOp } from './push-send.js';

/** `@12` or `@Account:12`; 18 characters fit varchar(18). */
const LOCAL_REFERENCE = /^@(?:([A-Za-z][A-Za-z0-9_]*):)?(\d{1,17})$/;

/** A resolved reference, for the write-back to store the parent's sfid in the child's column. */
export interface ResolvedReference {
  recordId: string;
  column: string;
  /** The `@…` value that was resolved (the column is only rewritten while it still holds it). */
  local: string;
  sfid: string;
}

/** Outcome of resolving one batch. */
export interface ReferenceResolution {
  /** Ops whose references all resolved (bodies rewritten in place). */
  ready: PushOp[];
  /** Record id → why it waits (parent without sfid yet). */
  waiting: Map<string, string>;
  /** Record id → why it fails (no such parent row, or no mapping for the object). */
  failed: Map<string, string>;
  resolved: ResolvedReference[];
}

interface Wanted { op: PushOp; field: FieldInfo; local: string; object: string; id: string }

/** Resolve every `@…` reference of the ops' bodies (one query per referenced object). */
export async function resolveReferences(db: pg.ClientBase, mapping: PushMapping, ops: PushOp[]): Promise<ReferenceResolution> {
  const out: ReferenceResolution = { ready: [], waiting: new Map(), failed: new Map(), resolved: [] };
  const wanted: Wanted[] = [];
  const references = mapping.fieldInfo.filter((f) => f.type === 'reference' && !f.removed);
  for (const op of ops) {
    for (const field of references) {
      const value = op.body[field.name];
      const match = typeof value === 'string' ? LOCAL_REFERENCE.exec(value) : null;
      if (!match) continue;
      const object = match[1] ?? (field.referenceTo.length === 1 ? field.referenceTo[0] : undefined);
      if (!object) out.failed.set(op.recordId, `${field.name} = ${String(value)}: a polymorphic lookup needs @<Object>:<id>, one of ${field.referenceTo.join(', ')}.`);
      else wanted.push({ op, field, local: String(value), object, id: match[2]! });
    }
  }
  if (wanted.length === 0) return { ...out, ready: ops.filter((o) => !out.failed.has(o.recordId)) };
  for (const object of new Set(wanted.map((w) => w.object))) {
    const some = wanted.filter((w) => w.object === object);
    const sfids = await parentSfids(db, mapping.connectionId, object, some.map((w) => w.id));
    for (const w of some) {
      const sfid = sfids?.get(w.id);
      if (sfids === undefined) out.failed.set(w.op.recordId, `${w.field.name} = ${w.local}: no mapping of ${object} on this connection holds local rows.`);
      else if (sfid === undefined) out.failed.set(w.op.recordId, `${w.field.name} = ${w.local}: no ${object} row has id ${w.id}.`);
      else if (sfid === null) out.waiting.set(w.op.recordId, `${w.field.name} = ${w.local}: waiting for the ${object} row ${w.id} to reach Salesforce.`);
      else {
        w.op.body[w.field.name] = sfid;
        out.resolved.push({ recordId: w.op.recordId, column: w.field.column, local: w.local, sfid });
      }
    }
  }
  out.ready = ops.filter((o) => !out.failed.has(o.recordId) && !out.waiting.has(o.recordId));
  out.resolved = out.resolved.filter((r) => !out.failed.has(r.recordId) && !out.waiting.has(r.recordId));
  return out;
}

/** Local id → sfid (null: not in Salesforce yet) of the parents; undefined when the object has no mapping. */
async function parentSfids(db: pg.ClientBase, connectionId: string, object: string, ids: string[]): Promise<Map<string, string | null> | undefined> {
  const { rows: tables } = await db.query<{ schema_name: string; table_name: string }>(
    'select schema_name, table_name from sfsync.mappings where connection_id = $1 and lower(sobject) = lower($2) order by id limit 1',
    [connectionId, object],
  );
  const table = tables[0];
  if (!table) return undefined;
  const { rows } = await db.query<{ id: string; sfid: string | null }>(
    `select id::text, sfid from ${pg.escapeIdentifier(table.schema_name)}.${pg.escapeIdentifier(table.table_name)} where id = any($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.sfid]));
}
