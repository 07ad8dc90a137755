/**
 * Parent-to-child relationship subqueries in a SELECT list:
 * `SELECT Id, (SELECT Id, LastName FROM Contacts WHERE … ORDER BY … LIMIT n) FROM Account`.
 *
 * Each parent row gets `{totalSize, done: true, records: [...]}`, or `null`
 * when it has no matching children (docs/wire-notes.md, Queries and locators).
 * The children of every parent are found in one pass over the child object per execution
 * (memoized in the EvalContext), grouped by the parent Id, so a page of 2,000
 * parents costs one child scan rather than 2,000.
 */
import type { FieldSubquery, Query } from '@jetstreamapp/soql-parser-js';
import type { FieldDef, ObjectDef, SchemaLookup, StoredRecord } from '../ports.js';
import type { ConditionScope } from './compile-leaf.js';
import { malformed, noSuchRelationship, unsupported } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { memoized } from './eval-context.js';
import { rejectUnsupportedClauses } from './parse.js';
import { collectMatches, compilePlan } from './plan.js';
import type { QueryPlan } from './plan.js';
import { shapeRow } from './shape-row.js';

/** The nested result of one parent's subquery, as REST renders it. */
export interface ChildResult {
  totalSize: number;
  done: true;
  records: Array<Record<string, unknown>>;
}

/** A compiled child subquery: reads the nested result of one parent row. */
export interface ChildSubquery {
  /** Canonical relationship name, e.g. `Contacts`: the key of the nested result. */
  readonly name: string;
  read(parent: StoredRecord, ctx: EvalContext, apiVersion: string): ChildResult | null;
}

/** Compile `(SELECT … FROM Contacts …)` of a query on `parent` (INVALID_FIELD for an unknown relationship). */
export function compileChildSubquery(field: FieldSubquery, parent: ObjectDef, schema: SchemaLookup, semiJoin: ConditionScope['semiJoin']): ChildSubquery {
  const sub = field.subquery;
  const relation = schema.getChildRelationship?.(parent, sub.relationshipName);
  if (relation === undefined) throw noSuchRelationship(sub.relationshipName);
  rejectUnsupportedClauses(sub);
  if (sub.offset !== undefined) throw unsupported('OFFSET in a relationship subquery');
  if ((sub.fields ?? []).some((f) => f.type === 'FieldSubquery')) {
    throw malformed('Nesting of relationship subqueries is not supported: only one level of parent-to-child subquery is allowed.');
  }
  // LIMIT applies per parent, so the shared plan has none; it is applied when grouping.
  const query: Query = { ...sub, sObject: relation.object.name, limit: undefined };
  const plan = compilePlan(query, schema, semiJoin);
  if (plan.select.kind !== 'records') throw malformed('Aggregate functions are not allowed in a relationship subquery.');
  return {
    // Matched case-insensitively; the result key uses the describe spelling.
    name: relation.relationshipName ?? sub.relationshipName,
    read: (record, ctx, apiVersion) => readChildren(record, ctx, apiVersion, plan, relation.field, sub.limit),
  };
}

function readChildren(
  parent: StoredRecord,
  ctx: EvalContext,
  apiVersion: string,
  plan: QueryPlan,
  field: FieldDef,
  limit: number | undefined,
): ChildResult | null {
  const byParent = memoized(ctx, plan, () => groupByParent(plan, field, ctx));
  const children = byParent.get(parent.id);
  if (children === undefined || children.length === 0) return null;
  const taken = limit === undefined ? children : children.slice(0, limit);
  if (plan.select.kind !== 'records') return null;
  const shape = plan.select.shape;
  const records = taken.map((child) => shapeRow(child, shape, ctx, apiVersion));
  return { totalSize: records.length, done: true, records };
}

/** Every matching child, in the subquery's ORDER BY, grouped by the parent Id it points to. */
function groupByParent(plan: QueryPlan, field: FieldDef, ctx: EvalContext): Map<string, StoredRecord[]> {
  const out = new Map<string, StoredRecord[]>();
  if (ctx.source === undefined) return out;
  for (const child of collectMatches(plan, ctx.source, ctx.includeDeleted === true, ctx)) {
    const parentId = child.values[field.name];
    if (typeof parentId !== 'string') continue;
    const list = out.get(parentId);
    if (list === undefined) out.set(parentId, [child]);
    else list.push(child);
  }
  return out;
}
