/**
 * Save-time checks of a PushTopic's `Query`, as Salesforce refuses a topic it
 * could never notify for: the SOQL must compile against the schema (its own
 * MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE), select Id, and use none of
 * what PushTopic queries do not support (ORDER BY, LIMIT, OFFSET, aggregates,
 * child subqueries). Without this a bad topic saved fine and silently never fired.
 */
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { SchemaLookup, SfRecord } from '../ports.js';
import { compileSoql, SoqlError } from '../soql/index.js';
import { WriteFailure } from './write-failure.js';

/** Throw a WriteFailure on `Query` when the PushTopic about to be saved could not work. */
export function checkPushTopicQuery(schema: SchemaLookup, values: SfRecord): void {
  const soql = values['Query'];
  if (typeof soql !== 'string') return; // REQUIRED_FIELD_MISSING is reported by the writer
  try {
    const compiled = compileSoql(soql, schema);
    if (!compiled.selectedFields.includes('Id')) refuse('A PushTopic query must select the Id field.');
    const query = parseQuery(soql);
    if (query.orderBy !== undefined) refuse('A PushTopic query does not support ORDER BY.');
    if (query.limit !== undefined || query.offset !== undefined) refuse('A PushTopic query does not support LIMIT or OFFSET.');
    if ((query.fields ?? []).some((f) => f.type === 'FieldSubquery' || (f.type === 'FieldFunctionExpression' && f.isAggregateFn === true))) {
      refuse('A PushTopic query does not support aggregates or relationship subqueries.');
    }
  } catch (error) {
    if (error instanceof SoqlError) throw new WriteFailure(error.errorCode, error.message, ['Query']);
    throw error;
  }
}

function refuse(message: string): never {
  throw new WriteFailure('INVALID_FIELD', message, ['Query']);
}
