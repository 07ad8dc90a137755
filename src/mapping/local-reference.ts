/**
 * Local references: a lookup column may name a parent row of this connection
 * by its local id, `@<id>` (or `@<Object>:<id>` for a polymorphic lookup),
 * until the parent has a Salesforce Id (outbound/references.ts resolves them
 * before a send). Here: parsing one, and reading changes' `@…` values as the
 * parent's sfid, which is what Salesforce holds once the change has landed.
 */
import pg from 'pg';
import { run, sfsync } from '../db/typed-query.js';
import type { FieldInfo } from './field-info.js';
import { isStoredMappingUsable } from './stored-mapping.js';

/** `@12` or `@Account:12`; 18 characters fit varchar(18). */
export const LOCAL_REFERENCE = /^@(?:([A-Za-z][A-Za-z0-9_]*):)?(\d{1,17})$/;

/** The parent a reference field's value names locally, or undefined (not `@…`, or a polymorphic lookup without its object). */
export function localReference(field: FieldInfo, value: unknown): { object: string; id: string } | undefined {
  if (field.type !== 'reference' || field.removed || typeof value !== 'string') return undefined;
  const match = LOCAL_REFERENCE.exec(value);
  const object = match?.[1] ?? (field.referenceTo.length === 1 ? field.referenceTo[0] : undefined);
  return match && object ? { object, id: match[2]! } : undefined;
}

/**
 * `values` (changes by Salesforce field name) with each `@…` of a reference
 * field replaced by the parent row's sfid, where the parent has one; others
 * are kept as they are. One query per referenced object, none without `@…`.
 * The parent is the row in the connection's first usable mapping of its object,
 * as outbound/references.ts finds it.
 *
 * @example
 * await withParentSfids(db, '1', fields, [{ AccountId: '@12' }]) // [{ AccountId: '001…' }]
 */
export async function withParentSfids(
  db: pg.ClientBase,
  connectionId: string,
  fields: readonly FieldInfo[],
  values: ReadonlyArray<Record<string, unknown>>,
): Promise<Array<Record<string, unknown>>> {
  const named = values.flatMap((v) => fields.flatMap((f) => localReference(f, v[f.name]) ?? []));
  if (named.length === 0) return values.map((v) => ({ ...v }));
  const sfids = new Map<string, string>();
  for (const object of new Set(named.map((n) => n.object.toLowerCase()))) {
    const table = await parentTable(db, connectionId, object);
    if (!table) continue;
    const ids = named.filter((n) => n.object.toLowerCase() === object).map((n) => n.id);
    const { rows } = await db.query<{ id: string; sfid: string }>(`select id::text, sfid from ${table} where id = any($1::bigint[]) and sfid is not null`, [
      ids,
    ]);
    for (const r of rows) sfids.set(`${object}:${r.id}`, r.sfid);
  }
  return values.map((v) => {
    const out = { ...v };
    for (const f of fields) {
      const ref = localReference(f, v[f.name]);
      const sfid = ref && sfids.get(`${ref.object.toLowerCase()}:${ref.id}`);
      if (sfid) out[f.name] = sfid;
    }
    return out;
  });
}

/** The quoted table of the connection's first mapping of `object`, or undefined (none, or its stored row is unusable). */
async function parentTable(db: pg.ClientBase, connectionId: string, object: string): Promise<string | undefined> {
  const rows = await run(
    db,
    sfsync
      .selectFrom('mappings')
      .select(['id', 'sobject', 'schema_name', 'table_name', 'external_id_field', 'field_info'])
      .where('connection_id', '=', connectionId)
      .where((eb) => eb(eb.fn('lower', ['sobject']), '=', object))
      .orderBy('id')
      .limit(1),
  );
  const m = rows[0];
  return m && isStoredMappingUsable(m) ? `${pg.escapeIdentifier(m.schema_name)}.${pg.escapeIdentifier(m.table_name)}` : undefined;
}
