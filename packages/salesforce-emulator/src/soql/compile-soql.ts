import type { ObjectDef, QueryCursor, RecordSource, SchemaLookup, SfRecord, SoqlOptions, StoredRecord } from '../ports.js';
import { aggregateCursor, countCursor, recordCursor } from './cursor.js';
import { malformed } from './errors.js';
import { newContext } from './eval-context.js';
import { parseSoql } from './parse.js';
import { collectMatches, compilePlan } from './plan.js';
import type { QueryPlan } from './plan.js';
import { semiJoinCompiler } from './semi-join.js';

/** A SOQL query compiled once against a schema; run it any number of times. */
export interface CompiledQuery {
  /** The queried object (canonical). */
  readonly object: ObjectDef;
  /** Select-list columns in SELECT order, canonical: `Id`, `Account.Name`; aggregates by alias or `exprN`; empty for `COUNT()`. */
  readonly selectedFields: string[];
  /** Run against visible records; rows are shaped lazily by the cursor. */
  execute(source: RecordSource, options: SoqlOptions): QueryCursor;
  /** The WHERE clause alone (true without one), e.g. for PushTopic notifications. Date literals use the current clock. */
  matches(record: StoredRecord, source: RecordSource): boolean;
}

/**
 * Parse (soql-parser-js), validate against `schema`, and compile `soql`.
 * Throws `SoqlError`: MALFORMED_QUERY (syntax, or unsupported features, named),
 * INVALID_FIELD (unknown field or relationship, wrong value type), INVALID_TYPE (unknown object).
 *
 * @example
 * const q = compileSoql("SELECT Id, Account.Name FROM Contact WHERE SystemModstamp > 2024-01-01T00:00:00Z", schema);
 * const page = q.execute(org.records, { includeDeleted: false, apiVersion: '59.0', now: new Date() }).take(2000);
 */
export function compileSoql(soql: string, schema: SchemaLookup): CompiledQuery {
  const plan = compilePlan(parseSoql(soql), schema, semiJoinCompiler(schema));
  return {
    object: plan.object,
    selectedFields: plan.select.columns,
    execute: (source, options) => execute(plan, source, options),
    matches: (record, source) => plan.where.predicate(record, newContext(source)),
  };
}

function execute(plan: QueryPlan, source: RecordSource, options: SoqlOptions): QueryCursor {
  const ctx = newContext(source, options.now, options.includeDeleted);
  const records = collectMatches(plan, source, options.includeDeleted, ctx);
  const object = plan.object.name;
  const select = plan.select;
  switch (select.kind) {
    case 'count':
      return countCursor(object, records.length);
    case 'aggregate':
      return aggregateCursor(
        object,
        select.columns,
        select.aggregates.map((a) => a.compute(records, ctx)),
      );
    case 'records':
      return recordCursor({
        object,
        columns: select.columns,
        paths: select.paths,
        shape: select.shape,
        records,
        ctx,
        apiVersion: options.apiVersion,
        childRelationships: select.childRelationships,
      });
  }
}

/**
 * Compile a bare WHERE expression on `object` (validation rules), e.g.
 * `AnnualRevenue < 0 OR Name LIKE 'x%'`. Without a `source`, parent fields,
 * formulas and semi-joins read as empty. Throws `SoqlError` like `compileSoql`.
 */
export function compileCondition(object: ObjectDef, whereExpr: string, schema: SchemaLookup): (values: SfRecord, source?: RecordSource) => boolean {
  // The parser only reads whole queries, so wrap the expression in one.
  const query = parseSoql(`SELECT Id FROM ${object.name} WHERE ${whereExpr}`);
  if (query.orderBy !== undefined || query.limit !== undefined || query.offset !== undefined || query.for !== undefined) {
    throw malformed(`A condition must be a bare WHERE expression: ${whereExpr}`);
  }
  const plan = compilePlan(query, schema, semiJoinCompiler(schema));
  return (values, source) => {
    const id = values['Id'];
    const stamp = values['SystemModstamp'];
    const record: StoredRecord = {
      object: plan.object.name,
      id: typeof id === 'string' ? id : '',
      values,
      systemModstampMs: typeof stamp === 'string' ? Date.parse(stamp) : 0,
      isDeleted: values['IsDeleted'] === true,
    };
    return plan.where.predicate(record, newContext(source));
  };
}
