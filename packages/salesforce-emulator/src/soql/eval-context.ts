import type { RecordSource, SfValue, StoredRecord } from '../ports.js';

/**
 * What compiled closures read besides the record itself: the record source
 * (parent lookups, formulas, semi-joins), the clock for date literals, and
 * per-execution memos. Validation rules evaluate without a source; then
 * parent fields and formulas read as null.
 */
export interface EvalContext {
  readonly source: RecordSource | undefined;
  /** The clock for TODAY, LAST_N_DAYS:n and friends. */
  readonly now: Date;
  /** Per-execution results (semi-join id sets, date literal ranges), keyed by the compiled node. */
  readonly memo: Map<object, unknown>;
  /** queryAll: child subqueries include deleted children too (default false). */
  readonly includeDeleted?: boolean;
}

/** Reads one value of a record (a field, a parent field, a formula). */
export type Getter = (record: StoredRecord, ctx: EvalContext) => SfValue;

/** A compiled WHERE: true when the record matches. */
export type Predicate = (record: StoredRecord, ctx: EvalContext) => boolean;

/** A fresh context for one execution (or one `matches` call). */
export function newContext(source: RecordSource | undefined, now: Date = new Date(), includeDeleted = false): EvalContext {
  return { source, now, memo: new Map(), includeDeleted };
}

/** Compute once per context: `compute` runs on the first call for `key` in `ctx`. */
export function memoized<T>(ctx: EvalContext, key: object, compute: () => T): T {
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T;
  const value = compute();
  ctx.memo.set(key, value);
  return value;
}
