import type { Query } from '@jetstreamapp/soql-parser-js';
import type { SchemaLookup } from '../ports.js';
import type { ConditionScope } from './compile-leaf.js';
import { malformed, unsupported } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { memoized } from './eval-context.js';
import type { ResolvedPath } from './field-path.js';
import { collectMatches, compilePlan } from './plan.js';
import { kindOf } from './values.js';

/**
 * The semi-join compiler for `Id IN (SELECT AccountId FROM Contact WHERE …)`:
 * the subquery runs once per execution (non-deleted rows) and yields the
 * 15-character Ids it selects. Nested semi-joins are unsupported.
 */
export function semiJoinCompiler(schema: SchemaLookup, depth = 0): ConditionScope['semiJoin'] {
  return (query: Query, outer: ResolvedPath) => {
    if (depth > 0) throw unsupported('A semi-join inside a semi-join');
    if (kindOf(outer.leaf.type) !== 'id') {
      throw malformed(`Semi-join subqueries are only allowed on Id or reference fields, not '${outer.path}'`);
    }
    const plan = compilePlan(query, schema, semiJoinCompiler(schema, depth + 1));
    const select = plan.select;
    const path = select.kind === 'records' && select.paths.length === 1 ? select.paths[0] : undefined;
    if (path === undefined || kindOf(path.leaf.type) !== 'id') {
      throw malformed('A semi-join subquery must select exactly one Id or reference field');
    }
    const key = {};
    return (ctx: EvalContext) =>
      memoized(ctx, key, () => {
        const ids = new Set<string>();
        if (ctx.source === undefined) return ids;
        for (const record of collectMatches(plan, ctx.source, false, ctx)) {
          const id = path.get(record, ctx);
          if (typeof id === 'string') ids.add(id.slice(0, 15));
        }
        return ids;
      });
  };
}
