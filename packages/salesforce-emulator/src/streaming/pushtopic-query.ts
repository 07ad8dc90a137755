/**
 * A PushTopic's SOQL, reduced to what notification matching needs: the object,
 * the SELECT fields (the notification's `sobject`), the WHERE fields (for
 * `NotifyForFields`), and a compiled WHERE filter from the SOQL engine.
 */
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import type { FieldDef, ObjectDef, RecordSource, SchemaLookup, StoredRecord } from '../ports.js';

/** A compiled SOQL query's record filter, as `compileSoql(soql, schema)` from `soql/` returns it. */
export interface RecordFilter {
  /** Whether the record satisfies the query's WHERE clause (true without one). */
  matches(record: StoredRecord, source: RecordSource): boolean;
}

/** Compiles SOQL against the schema; throws on a malformed query. Default: the SOQL engine's `compileSoql`. */
export type CompileFilter = (soql: string, schema: SchemaLookup) => RecordFilter;

/** What matching needs from a PushTopic query. */
export interface PushTopicQuery {
  object: ObjectDef;
  /** SELECT fields in SELECT order, canonical case, always starting with Id. */
  selectFields: FieldDef[];
  /** Names of the fields the WHERE clause references (canonical case). */
  whereFields: Set<string>;
  filter: RecordFilter;
}

/**
 * Parse a PushTopic query; `undefined` when it cannot be used (malformed SOQL,
 * unknown object). Relationship fields are skipped: PushTopics do not support them.
 */
export function parsePushTopicQuery(soql: string, schema: SchemaLookup, compile: CompileFilter): PushTopicQuery | undefined {
  let query: Query;
  let filter: RecordFilter;
  try {
    query = parseQuery(soql);
    filter = compile(soql, schema);
  } catch {
    return undefined;
  }
  const object = query.sObject === undefined ? undefined : schema.getObject(query.sObject);
  if (object === undefined) return undefined;
  const selectFields: FieldDef[] = [];
  const seen = new Set<string>();
  const add = (name: string): void => {
    const field = schema.getField(object, name);
    if (field !== undefined && !seen.has(field.name)) {
      seen.add(field.name);
      selectFields.push(field);
    }
  };
  add('Id');
  for (const entry of query.fields ?? []) {
    if (entry.type === 'Field') add(entry.field);
  }
  const whereFields = new Set<string>();
  collectWhereFields(query.where, (name) => {
    const field = name.includes('.') ? undefined : schema.getField(object, name);
    if (field !== undefined) whereFields.add(field.name);
  });
  return { object, selectFields, whereFields, filter };
}

function collectWhereFields(where: WhereClause | undefined, visit: (name: string) => void): void {
  let clause = where;
  while (clause !== undefined) {
    const left = clause.left as { field?: unknown } | null;
    if (left !== null && typeof left.field === 'string') visit(left.field);
    clause = 'right' in clause ? clause.right : undefined;
  }
}
