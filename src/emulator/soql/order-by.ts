import type { OrderByClause } from '@jetstreamapp/soql-parser-js';
import type { StoredRecord } from '../ports.js';
import { unsupported } from './errors.js';
import type { EvalContext, Getter } from './eval-context.js';
import { resolvePath } from './field-path.js';
import type { ConditionScope } from './compile-leaf.js';
import { kindOf, toComparable } from './values.js';
import type { Comparable, ValueKind } from './values.js';

interface SortKey {
  readonly get: Getter;
  readonly kind: ValueKind;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** A compiled ORDER BY. */
export interface CompiledOrder {
  /** Number of sort keys (0: no ORDER BY). */
  readonly keyCount: number;
  /** Set when the first key is `SystemModstamp` on the queried object: scan the index this way. */
  readonly modstampOrder: 'asc' | 'desc' | undefined;
  /** Sort records in place of a copy: keys are read once per record, then one Array.sort. */
  sort(records: StoredRecord[], ctx: EvalContext): StoredRecord[];
}

/**
 * Compile ORDER BY (parent fields allowed). Defaults as Salesforce: ASC NULLS
 * FIRST, DESC NULLS LAST; text orders case-insensitively.
 */
export function compileOrderBy(orderBy: OrderByClause | OrderByClause[] | undefined, scope: Omit<ConditionScope, 'semiJoin'>): CompiledOrder {
  const clauses = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
  let modstampOrder: 'asc' | 'desc' | undefined;
  const keys = clauses.map((clause, i): SortKey => {
    if (!('field' in clause)) throw unsupported(`ORDER BY on the function ${clause.fn.rawValue ?? ''}`);
    const path = resolvePath(scope.schema, scope.object, clause.field, scope.alias);
    const descending = clause.order?.toUpperCase() === 'DESC';
    const nulls = clause.nulls?.toUpperCase();
    if (i === 0 && path.hops.length === 0 && path.leaf.name === 'SystemModstamp') modstampOrder = descending ? 'desc' : 'asc';
    return { get: path.get, kind: kindOf(path.leaf.type), descending, nullsFirst: nulls === undefined ? !descending : nulls === 'FIRST' };
  });
  return { keyCount: keys.length, modstampOrder, sort: (records, ctx) => sortRecords(records, keys, ctx) };
}

function sortRecords(records: StoredRecord[], keys: SortKey[], ctx: EvalContext): StoredRecord[] {
  if (keys.length === 0) return records;
  const rows = records.map((record) => ({ record, values: keys.map((k) => toComparable(k.kind, k.get(record, ctx))) }));
  rows.sort((a, b) => compareRows(a.values, b.values, keys));
  return rows.map((row) => row.record);
}

function compareRows(a: Array<Comparable | null>, b: Array<Comparable | null>, keys: SortKey[]): number {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as SortKey;
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return key.nullsFirst ? -1 : 1;
    if (y === null) return key.nullsFirst ? 1 : -1;
    const c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return key.descending ? -c : c;
  }
  return 0;
}
