import type { Query } from '@jetstreamapp/soql-parser-js';
import type { ObjectDef, RecordSource, SchemaLookup, StoredRecord } from '../ports.js';
import type { ConditionScope } from './compile-leaf.js';
import { compileWhere } from './compile-where.js';
import type { CompiledWhere } from './compile-where.js';
import { invalidType, malformed, SoqlError } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { compileOrderBy } from './order-by.js';
import type { CompiledOrder } from './order-by.js';
import { compileSelect } from './select-list.js';
import type { SelectPlan } from './select-list.js';

/** Salesforce's largest OFFSET. */
export const MAX_OFFSET = 2000;

/** A query compiled against the schema, ready to run against any RecordSource. */
export interface QueryPlan {
  readonly object: ObjectDef;
  readonly select: SelectPlan;
  readonly where: CompiledWhere;
  readonly order: CompiledOrder;
  readonly limit: number | undefined;
  readonly offset: number;
}

/** Compile a parsed query; `semiJoin` compiles `Id IN (SELECT …)` subqueries. */
export function compilePlan(query: Query, schema: SchemaLookup, semiJoin: ConditionScope['semiJoin']): QueryPlan {
  const object = resolveObject(query.sObject ?? '', schema);
  const scope: ConditionScope = { schema, object, alias: query.sObjectAlias, semiJoin };
  const select = compileSelect(query, scope);
  const where = compileWhere(query.where, scope);
  const order = compileOrderBy(query.orderBy, scope);
  if (select.kind !== 'records' && order.keyCount > 0) {
    throw malformed('ORDER BY is not allowed in an aggregate query without GROUP BY.');
  }
  const offset = query.offset ?? 0;
  // SOQL and SOSL Reference, OFFSET: "an offset greater than 2,000 results in a NUMBER_OUTSIDE_VALID_RANGE error".
  if (offset > MAX_OFFSET) throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  return { object, select, where, order, limit: query.limit, offset };
}

/** The queried object by case-insensitive name; INVALID_TYPE when unknown or not queryable. */
export function resolveObject(name: string, schema: SchemaLookup): ObjectDef {
  const object = schema.getObject(name);
  if (object === undefined || object.isPlatformEvent) throw invalidType(name);
  return object;
}

/**
 * The matching records in result order, after OFFSET and LIMIT. Bounds on
 * SystemModstamp become an index range scan; ORDER BY SystemModstamp becomes
 * the scan order (no sort), and then LIMIT stops the scan early.
 */
export function collectMatches(plan: QueryPlan, source: RecordSource, includeDeleted: boolean, ctx: EvalContext): StoredRecord[] {
  const range = plan.where.modstampRange(ctx);
  const order = plan.order.modstampOrder;
  const useIndex = range !== undefined || order !== undefined;
  const scan = source.scan(plan.object.name, {
    includeDeleted,
    ...(useIndex ? { modstamp: range ?? {} } : {}),
    ...(order !== undefined ? { order } : {}),
  });
  const sortNeeded = plan.order.keyCount > (order === undefined ? 0 : 1);
  const stopAt = !sortNeeded && plan.limit !== undefined ? plan.offset + plan.limit : Infinity;
  // Records from a range scan already satisfy the terms the range covers: test only the rest.
  const predicate = range !== undefined ? plan.where.residual : plan.where.predicate;
  const matches: StoredRecord[] = [];
  if (stopAt > 0) {
    for (const record of scan) {
      if (record.isDeleted && !includeDeleted) continue;
      if (predicate !== undefined && !predicate(record, ctx)) continue;
      matches.push(record);
      if (matches.length >= stopAt) break;
    }
  }
  const top = plan.limit === undefined ? undefined : plan.offset + plan.limit;
  const sorted = sortNeeded ? plan.order.sort(matches, ctx, top) : matches;
  if (plan.offset === 0 && (plan.limit === undefined || plan.limit >= sorted.length)) return sorted;
  return sorted.slice(plan.offset, plan.limit === undefined ? undefined : plan.offset + plan.limit);
}
