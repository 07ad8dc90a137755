import type { ConditionWithValueQuery, LiteralType, Query } from '@jetstreamapp/soql-parser-js';
import type { ModstampRange, ObjectDef, SchemaLookup } from '../ports.js';
import { malformed, unsupported } from './errors.js';
import type { EvalContext, Getter, Predicate } from './eval-context.js';
import { resolvePath } from './field-path.js';
import type { ResolvedPath } from './field-path.js';
import { literalOperand } from './literals.js';
import type { Operand } from './literals.js';
import { likePattern } from './string-literal.js';
import { kindOf, toComparable } from './values.js';
import type { Comparable, ValueKind } from './values.js';

/** Everything a condition compiles against. */
export interface ConditionScope {
  readonly schema: SchemaLookup;
  readonly object: ObjectDef;
  /** The FROM alias (`SELECT a.Name FROM Account a`), if any. */
  readonly alias: string | undefined;
  /** Compile a semi-join subquery to the set of Ids it selects (per execution). */
  readonly semiJoin: (query: Query, path: ResolvedPath) => (ctx: EvalContext) => ReadonlySet<string>;
}

/** A compiled condition; `modstamp` is set when it bounds SystemModstamp (for the index). */
export interface CompiledLeaf {
  readonly predicate: Predicate;
  readonly modstamp?: (ctx: EvalContext) => ModstampRange | undefined;
  /** True when `modstamp`'s range holds exactly the records `predicate` accepts, so an index range scan need not test it. */
  readonly coveredByRange?: boolean;
}

type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
const COMPARE_OPS = new Set<string>(['=', '!=', '<', '<=', '>', '>=']);

/** Compile one condition (`Name LIKE 'a%'`, `Id IN (SELECT …)`) to a closure. */
export function compileLeaf(condition: ConditionWithValueQuery, scope: ConditionScope): CompiledLeaf {
  if (!('field' in condition)) {
    const fn = 'fn' in condition ? (condition.fn.rawValue ?? condition.fn.functionName ?? '') : '';
    throw unsupported(`The function ${fn} in a WHERE clause`);
  }
  const path = resolvePath(scope.schema, scope.object, condition.field, scope.alias);
  const kind = kindOf(path.leaf.type);
  const op = condition.operator.toUpperCase().replace('<>', '!=');
  if ('valueQuery' in condition) return { predicate: semiJoinPredicate(op, path, scope.semiJoin(condition.valueQuery, path)) };
  const raws = Array.isArray(condition.value) ? condition.value : [condition.value];
  const types = Array.isArray(condition.literalType) ? condition.literalType : raws.map(() => condition.literalType);
  const typeAt = (i: number): LiteralType | undefined => (types[i] ?? types[0]) as LiteralType | undefined;
  if (op === 'LIKE') return { predicate: likePredicate(path, kind, raws) };
  if (op === 'INCLUDES' || op === 'EXCLUDES') return { predicate: includesPredicate(op, path, raws, typeAt) };
  const operands = raws.map((raw, i) => literalOperand(kind, path.path, raw, typeAt(i)));
  if (op === 'IN' || op === 'NOT IN') {
    const inSet = inPredicate(path.get, kind, operands);
    return { predicate: op === 'IN' ? inSet : (r, c) => !inSet(r, c) };
  }
  const operand = operands[0];
  if (!COMPARE_OPS.has(op) || operand === undefined || operands.length !== 1) {
    throw malformed(`unexpected operator '${condition.operator}' for a single value`);
  }
  const isModstamp = path.hops.length === 0 && path.leaf.name === 'SystemModstamp';
  if (!isModstamp) return { predicate: comparePredicate(op as CompareOp, path.get, kind, operand) };
  const fast = modstampPredicate(op as CompareOp, operand);
  const predicate = fast ?? comparePredicate(op as CompareOp, path.get, kind, operand);
  const modstamp = modstampBound(op as CompareOp, operand);
  // A literal datetime bound is the same ms comparison as the fast predicate: the index range is exact.
  return { predicate, modstamp, coveredByRange: fast !== undefined && modstamp !== undefined };
}

/** SystemModstamp against a datetime value compares `systemModstampMs` numbers: the hot path of windowed sync queries. */
function modstampPredicate(op: CompareOp, operand: Operand): Predicate | undefined {
  if (operand.kind !== 'value' || typeof operand.value !== 'string') return undefined;
  const ms = Date.parse(operand.value);
  switch (op) {
    case '=':
      return (r) => r.systemModstampMs === ms;
    case '!=':
      return (r) => r.systemModstampMs !== ms;
    case '<':
      return (r) => r.systemModstampMs < ms;
    case '<=':
      return (r) => r.systemModstampMs <= ms;
    case '>':
      return (r) => r.systemModstampMs > ms;
    case '>=':
      return (r) => r.systemModstampMs >= ms;
  }
}

function comparePredicate(op: CompareOp, get: Getter, kind: ValueKind, operand: Operand): Predicate {
  if (operand.kind === 'range') {
    const test = rangeTest(op);
    return (r, ctx) => {
      const v = toComparable(kind, get(r, ctx));
      if (v === null) return op === '!=';
      const range = operand.resolve(ctx);
      return test(v, range.lo, range.hi);
    };
  }
  const x = operand.value;
  if (x === null) {
    if (op === '=') return (r, ctx) => get(r, ctx) === null;
    if (op === '!=') return (r, ctx) => get(r, ctx) !== null;
    return () => false;
  }
  const test = valueTest(op);
  return (r, ctx) => {
    const v = toComparable(kind, get(r, ctx));
    return v === null ? op === '!=' : test(v, x);
  };
}

function valueTest(op: CompareOp): (v: Comparable, x: Comparable) => boolean {
  switch (op) {
    case '=':
      return (v, x) => v === x;
    case '!=':
      return (v, x) => v !== x;
    case '<':
      return (v, x) => v < x;
    case '<=':
      return (v, x) => v <= x;
    case '>':
      return (v, x) => v > x;
    case '>=':
      return (v, x) => v >= x;
  }
}

/** Comparisons against a date-literal interval `[lo, hi)`. */
function rangeTest(op: CompareOp): (v: Comparable, lo: Comparable, hi: Comparable) => boolean {
  switch (op) {
    case '=':
      return (v, lo, hi) => v >= lo && v < hi;
    case '!=':
      return (v, lo, hi) => v < lo || v >= hi;
    case '<':
      return (v, lo) => v < lo;
    case '<=':
      return (v, _lo, hi) => v < hi;
    case '>':
      return (v, _lo, hi) => v >= hi;
    case '>=':
      return (v, lo) => v >= lo;
  }
}

function inPredicate(get: Getter, kind: ValueKind, operands: Operand[]): Predicate {
  const values = new Set<Comparable>();
  let matchesNull = false;
  const ranges: Array<Extract<Operand, { kind: 'range' }>> = [];
  for (const operand of operands) {
    if (operand.kind === 'range') ranges.push(operand);
    else if (operand.value === null) matchesNull = true;
    else values.add(operand.value);
  }
  return (r, ctx) => {
    const v = toComparable(kind, get(r, ctx));
    if (v === null) return matchesNull;
    if (values.has(v)) return true;
    return ranges.some((op) => {
      const range = op.resolve(ctx);
      return v >= range.lo && v < range.hi;
    });
  };
}

function likePredicate(path: ResolvedPath, kind: ValueKind, raws: string[]): Predicate {
  const raw = raws[0];
  if (kind !== 'text' && kind !== 'id') throw malformed(`invalid operator on ${path.leaf.type} field '${path.path}': LIKE`);
  if (raw === undefined || raws.length !== 1 || !/^['"]/.test(raw)) throw malformed('LIKE needs one quoted string');
  const pattern = likePattern(raw);
  const get = path.get;
  return (r, ctx) => {
    const v = get(r, ctx);
    return v !== null && pattern.test(String(v));
  };
}

function includesPredicate(op: string, path: ResolvedPath, raws: string[], typeAt: (i: number) => LiteralType | undefined): Predicate {
  if (path.leaf.type !== 'multipicklist') {
    throw malformed(`invalid operator on ${path.leaf.type} field '${path.path}': ${op} is only valid on multi-select picklists`);
  }
  // Each literal is a set of values that must all be selected: 'A;B' means A and B.
  const wanted = raws.map((raw, i) => {
    const operand = literalOperand('text', path.path, raw, typeAt(i));
    return operand.kind === 'value' && typeof operand.value === 'string' ? splitValues(operand.value) : [];
  });
  const get = path.get;
  const includes: Predicate = (r, ctx) => {
    const v = get(r, ctx);
    if (v === null) return false;
    const selected = new Set(splitValues(String(v).toLowerCase()));
    return wanted.some((all) => all.length > 0 && all.every((w) => selected.has(w)));
  };
  if (op === 'INCLUDES') return includes;
  return (r, ctx) => !includes(r, ctx);
}

function splitValues(text: string): string[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function semiJoinPredicate(op: string, path: ResolvedPath, ids: (ctx: EvalContext) => ReadonlySet<string>): Predicate {
  if (op !== 'IN' && op !== 'NOT IN') throw malformed(`A subquery needs IN or NOT IN, not ${op}`);
  const get = path.get;
  const inSet: Predicate = (r, ctx) => {
    const v = get(r, ctx);
    return typeof v === 'string' && ids(ctx).has(v.slice(0, 15));
  };
  return op === 'IN' ? inSet : (r, ctx) => !inSet(r, ctx);
}

function modstampBound(op: CompareOp, operand: Operand): ((ctx: EvalContext) => ModstampRange | undefined) | undefined {
  if (operand.kind === 'range') {
    return (ctx) => {
      const { startMs, endMs } = operand.resolve(ctx);
      const bounds: Record<CompareOp, ModstampRange | undefined> = {
        '=': { gte: startMs, lt: endMs },
        '<': { lt: startMs },
        '<=': { lt: endMs },
        '>': { gte: endMs },
        '>=': { gte: startMs },
        '!=': undefined,
      };
      return bounds[op];
    };
  }
  if (typeof operand.value !== 'string' || op === '!=') return undefined;
  const ms = Date.parse(operand.value);
  const bound: Record<Exclude<CompareOp, '!='>, ModstampRange> = {
    '=': { gte: ms, lte: ms },
    '<': { lt: ms },
    '<=': { lte: ms },
    '>': { gt: ms },
    '>=': { gte: ms },
  };
  return () => bound[op];
}
