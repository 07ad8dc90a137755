import type { FieldType as SelectField, Query } from '@jetstreamapp/soql-parser-js';
import type { ObjectDef, SchemaLookup } from '../ports.js';
import { compileAggregate } from './aggregates.js';
import { compileChildSubquery } from './child-subquery.js';
import type { ChildSubquery } from './child-subquery.js';
import type { ConditionScope } from './compile-leaf.js';
import type { AggregateColumn } from './aggregates.js';
import { malformed, unsupported } from './errors.js';
import { resolvePath } from './field-path.js';
import type { ResolvedPath } from './field-path.js';
import { buildShapeTree } from './shape-tree.js';
import type { ShapeNode } from './shape-tree.js';

/** What a SELECT list asks for: records, `COUNT()`, or aggregate values. */
export type SelectPlan =
  | {
      readonly kind: 'records';
      readonly columns: string[];
      readonly paths: ResolvedPath[];
      readonly shape: ShapeNode;
      /** Relationship names of child subqueries (not in `columns`: they have no flat form). */
      readonly childRelationships: string[];
    }
  | { readonly kind: 'count'; readonly columns: string[] }
  | { readonly kind: 'aggregate'; readonly columns: string[]; readonly aggregates: AggregateColumn[] };

interface Scope {
  schema: SchemaLookup;
  object: ObjectDef;
  alias: string | undefined;
  /** Compiles semi-joins inside child subqueries' WHERE. */
  semiJoin: ConditionScope['semiJoin'];
}

/** Compile the SELECT list against the schema (INVALID_FIELD for unknown names). */
export function compileSelect(query: Query, scope: Scope): SelectPlan {
  const fields = query.fields ?? [];
  if (fields.length === 0) throw malformed('SELECT list is empty');
  const aggregates = fields.filter(isAggregate);
  if (aggregates.length > 0) return compileAggregates(fields, scope);
  const paths: ResolvedPath[] = [];
  const children: ChildSubquery[] = [];
  for (const f of fields) {
    if (f.type === 'FieldSubquery') children.push(compileChildSubquery(f, scope.object, scope.schema, scope.semiJoin));
    else paths.push(selectPath(f, scope));
  }
  return {
    kind: 'records',
    columns: paths.map((p) => p.path),
    paths,
    shape: buildShapeTree(paths, children),
    childRelationships: children.map((c) => c.name),
  };
}

function isAggregate(field: SelectField): boolean {
  return field.type === 'FieldFunctionExpression' && field.isAggregateFn === true;
}

function compileAggregates(fields: SelectField[], scope: Scope): SelectPlan {
  const columns: AggregateColumn[] = [];
  let unaliased = 0;
  for (const field of fields) {
    if (field.type !== 'FieldFunctionExpression' || field.isAggregateFn !== true) {
      const name = 'rawValue' in field && typeof field.rawValue === 'string' ? field.rawValue : 'field' in field ? field.field : field.type;
      throw malformed(`Field must be grouped or aggregated: ${name}`);
    }
    if (field.functionName.toUpperCase() === 'COUNT' && field.parameters.length === 0) {
      if (fields.length !== 1) throw malformed('COUNT() must be the only element in the SELECT list.');
      return { kind: 'count', columns: [] };
    }
    columns.push(compileAggregate(field, unaliased, scope));
    if (field.alias === undefined) unaliased++;
  }
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name.toLowerCase())) throw malformed(`duplicate alias: ${c.name}`);
    names.add(c.name.toLowerCase());
  }
  return { kind: 'aggregate', columns: columns.map((c) => c.name), aggregates: columns };
}

function selectPath(field: SelectField, scope: Scope): ResolvedPath {
  switch (field.type) {
    case 'Field':
      return resolvePath(scope.schema, scope.object, field.field, scope.alias);
    case 'FieldRelationship':
      return resolvePath(scope.schema, scope.object, [...field.relationships, field.field].join('.'), scope.alias);
    case 'FieldSubquery':
      throw malformed('A relationship subquery is only allowed in the SELECT list of the outer query.');
    case 'FieldTypeof':
      throw unsupported('TYPEOF');
    case 'FieldFunctionExpression':
      throw unsupported(`The function ${field.rawValue ?? field.functionName} in a SELECT list`);
  }
}
