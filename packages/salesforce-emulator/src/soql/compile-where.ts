import type { WhereClause } from '@jetstreamapp/soql-parser-js';
import type { ModstampRange } from '../ports.js';
import { compileLeaf } from './compile-leaf.js';
import type { CompiledLeaf, ConditionScope } from './compile-leaf.js';
import type { EvalContext, Predicate } from './eval-context.js';
import { buildWhereTree } from './where-tree.js';
import type { WhereNode } from './where-tree.js';

/** A compiled WHERE clause. */
export interface CompiledWhere {
  /** True when the record matches the whole clause. */
  readonly predicate: Predicate;
  /**
   * The SystemModstamp range every match lies in, from the top-level AND terms
   * (undefined: no bound, scan everything).
   */
  readonly modstampRange: (ctx: EvalContext) => ModstampRange | undefined;
  /**
   * What is left to test on records from a scan of `modstampRange`: the
   * top-level AND terms the range does not already guarantee; undefined when
   * the range alone decides (the windowed sync query: 800k matches, no test each).
   */
  readonly residual: Predicate | undefined;
}

const ALWAYS: CompiledWhere = { predicate: () => true, modstampRange: () => undefined, residual: undefined };

/** Compile a WHERE clause (or none) once into a closure tree. */
export function compileWhere(where: WhereClause | undefined, scope: ConditionScope): CompiledWhere {
  if (where === undefined) return ALWAYS;
  const tree = buildWhereTree(where);
  const bounds: Array<(ctx: EvalContext) => ModstampRange | undefined> = [];
  const terms = tree.type === 'and' ? tree.children : [tree];
  const parts = terms.map((term) => compileTerm(term, scope, bounds));
  const residualParts = parts.filter((p) => !p.covered).map((p) => p.predicate);
  return {
    predicate: allOf(parts.map((p) => p.predicate)),
    modstampRange: (ctx) => intersect(bounds.map((b) => b(ctx))),
    residual: residualParts.length === 0 ? undefined : allOf(residualParts),
  };
}

/** One top-level AND term; `covered` when the modstamp range alone decides it. */
function compileTerm(
  node: WhereNode,
  scope: ConditionScope,
  bounds: Array<(ctx: EvalContext) => ModstampRange | undefined>,
): { predicate: Predicate; covered: boolean } {
  if (node.type !== 'leaf') return { predicate: compileNode(node, scope, bounds, true), covered: false };
  const leaf = compileLeaf(node.condition, scope);
  if (leaf.modstamp !== undefined) bounds.push(leaf.modstamp);
  return { predicate: leaf.predicate, covered: leaf.coveredByRange === true };
}

/** AND of predicates, unrolled for the common short lists (this runs once per scanned record). */
function allOf(predicates: Predicate[]): Predicate {
  const [a, b, c] = predicates;
  if (a === undefined) return () => true;
  if (b === undefined) return a;
  if (c === undefined) return (r, ctx) => a(r, ctx) && b(r, ctx);
  if (predicates.length === 3) return (r, ctx) => a(r, ctx) && b(r, ctx) && c(r, ctx);
  return (r, ctx) => {
    for (const p of predicates) if (!p(r, ctx)) return false;
    return true;
  };
}

function compileNode(node: WhereNode, scope: ConditionScope, bounds: Array<(ctx: EvalContext) => ModstampRange | undefined>, conjunctive: boolean): Predicate {
  switch (node.type) {
    case 'leaf': {
      const leaf: CompiledLeaf = compileLeaf(node.condition, scope);
      if (conjunctive && leaf.modstamp !== undefined) bounds.push(leaf.modstamp);
      return leaf.predicate;
    }
    case 'not': {
      const child = compileNode(node.child, scope, bounds, false);
      return (r, ctx) => !child(r, ctx);
    }
    case 'and': {
      return allOf(node.children.map((c) => compileNode(c, scope, bounds, conjunctive)));
    }
    case 'or': {
      const children = node.children.map((c) => compileNode(c, scope, bounds, false));
      return (r, ctx) => children.some((c) => c(r, ctx));
    }
  }
}

/** The tightest range satisfying every bound (undefined when there are none). */
function intersect(ranges: Array<ModstampRange | undefined>): ModstampRange | undefined {
  let out: ModstampRange | undefined;
  for (const range of ranges) {
    if (range === undefined) continue;
    out ??= {};
    if (range.gt !== undefined) out.gt = Math.max(out.gt ?? -Infinity, range.gt);
    if (range.gte !== undefined) out.gte = Math.max(out.gte ?? -Infinity, range.gte);
    if (range.lt !== undefined) out.lt = Math.min(out.lt ?? Infinity, range.lt);
    if (range.lte !== undefined) out.lte = Math.min(out.lte ?? Infinity, range.lte);
  }
  return out;
}
