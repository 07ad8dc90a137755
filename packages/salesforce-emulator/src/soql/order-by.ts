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
  /**
   * Sort a copy of `records`: keys are read once per record, then Array.sort.
   * With `top` (OFFSET + LIMIT), only the first `top` rows are returned, kept
   * in a bounded buffer so a LIMIT 10 over a million rows does not sort them all.
   */
  sort(records: StoredRecord[], ctx: EvalContext, top?: number): StoredRecord[];
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
  return { keyCount: keys.length, modstampOrder, sort: (records, ctx, top) => sortRecords(records, keys, ctx, top) };
}

function sortRecords(records: StoredRecord[], keys: SortKey[], ctx: EvalContext, top = Infinity): StoredRecord[] {
  if (keys.length === 0) return records;
  const compare = (a: KeyedRow, b: KeyedRow): number => compareRows(a.values, b.values, keys);
  const keyed = (record: StoredRecord): KeyedRow => ({ record, values: keys.map((k) => toComparable(k.kind, k.get(record, ctx))) });
  if (top * 4 >= records.length) {
    const rows = records.map(keyed);
    rows.sort(compare);
    return rows.map((row) => row.record);
  }
  // Bounded top-k: sort and truncate whenever the buffer doubles. Array.sort is
  // stable and rows are appended in scan order, so ties keep scan order.
  let buffer: KeyedRow[] = [];
  for (const record of records) {
    buffer.push(keyed(record));
    if (buffer.length >= 2 * top + 1024) buffer = buffer.sort(compare).slice(0, top);
  }
  return buffer
    .sort(compare)
    .slice(0, top)
    .map((row) => row.record);
}

interface KeyedRow {
  readonly record: StoredRecord;
  readonly values: Array<Comparable | null>;
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
