/**
 * Creating a query job from `POST /jobs/query {operation, query}`. The SOQL is
 * parsed and validated here, so a bad query is a synchronous 400 carrying the
 * SOQL engine's own errorCode (INVALID_FIELD, MALFORMED_QUERY, INVALID_TYPE):
 * Salesforce validates Bulk 2.0 SOQL at job creation and names the SOQL
 * problem, and passing the REST code through lets callers handle both APIs alike.
 */
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { ObjectDef, OrgPort, QueryCursor, SchemaLookup } from '../ports.js';
import { bulkError } from './bulk-errors.js';
import { parseDialect } from './csv-dialect.js';
import type { JobOwner } from './ingest-job.js';
import { QueryJob, type QueryOperation } from './query-job.js';

/** Validate the body, run the SOQL and return the new (UploadComplete) job. */
export function createQueryJob(org: OrgPort, id: string, owner: JobOwner, body: unknown): QueryJob {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw bulkError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object such as {"operation":"query","query":"SELECT Id FROM Account"}.');
  }
  const input = body as Record<string, unknown>;
  const operation = input['operation'];
  if (operation !== 'query' && operation !== 'queryAll') {
    throw bulkError(400, 'INVALIDJOB', `InvalidJob : Invalid job operation: ${String(operation)}. Use query or queryAll.`);
  }
  const query = input['query'];
  if (typeof query !== 'string' || query.trim() === '') {
    throw bulkError(400, 'INVALIDJOB', 'InvalidJob : The query field is required: a SOQL SELECT statement.');
  }
  const dialect = parseDialect(input);
  if (typeof dialect === 'string') throw bulkError(400, 'INVALIDJOB', `InvalidJob : ${dialect}`);
  const cursor = runSoql(org, query, operation, owner.apiVersion);
  // The SOQL parsed above, so this parse cannot fail; OFFSET is not visible on the cursor.
  if (parseQuery(query).offset !== undefined) {
    throw bulkError(
      400,
      'FUNCTIONALITY_NOT_ENABLED',
      'OFFSET is not supported by Bulk API 2.0 queries; filter on a field (e.g. Id or SystemModstamp) instead.',
    );
  }
  const object = org.schema.getObject(cursor.object);
  const dateTimeColumns = cursor.columns.map((path) => (object ? columnType(org.schema, object, path) === 'datetime' : false));
  checkBulkSupported(org.schema, object, cursor);
  return new QueryJob(id, operation, query, cursor.object, cursor.columns, dateTimeColumns, dialect, owner, cursor);
}

function runSoql(org: OrgPort, soql: string, operation: QueryOperation, apiVersion: string): QueryCursor {
  try {
    return org.query(soql, { includeDeleted: operation === 'queryAll', apiVersion });
  } catch (error) {
    const { errorCode, message } = describeSoqlError(error);
    throw bulkError(400, errorCode, message);
  }
}

/** The errorCode of a SoqlError (duck-typed: `errorCode`, `code` or an UPPER_CASE `name`). */
function describeSoqlError(error: unknown): { errorCode: string; message: string } {
  const e = error as { errorCode?: unknown; code?: unknown; name?: unknown; message?: unknown };
  const candidates = [e.errorCode, e.code, e.name];
  const errorCode = candidates.find((c): c is string => typeof c === 'string' && /^[A-Z][A-Z_]+$/.test(c)) ?? 'MALFORMED_QUERY';
  return { errorCode, message: typeof e.message === 'string' ? e.message : String(error) };
}

/** Bulk 2.0 refuses aggregates, parent-to-child subqueries and compound (address/location) columns. */
function checkBulkSupported(schema: SchemaLookup, object: ObjectDef | undefined, cursor: QueryCursor): void {
  if (cursor.isCount || cursor.columns.some((c) => /^expr\d+$/.test(c))) {
    throw bulkError(400, 'API_ERROR', 'Aggregate queries (COUNT(), GROUP BY, SUM() …) are not supported by Bulk API 2.0; use the REST query resource.');
  }
  // Bulk API 2.0 documents parent-to-child subqueries as unsupported (child-to-parent fields are fine).
  if ((cursor.childRelationships ?? []).length > 0) {
    throw bulkError(
      400,
      'FUNCTIONALITY_NOT_ENABLED',
      `Parent-to-child relationship queries (${cursor.childRelationships?.join(', ')}) are not supported by Bulk API 2.0; query the child object with a parent field instead, or use the REST query resource.`,
    );
  }
  for (const path of cursor.columns) {
    const type = object ? columnType(schema, object, path) : undefined;
    if (type === 'address' || type === 'location') {
      throw bulkError(400, 'FUNCTIONALITY_NOT_ENABLED', `Selecting compound data not supported in Bulk Query: select the component fields of ${path} instead.`);
    }
  }
}

/** The field type at the end of a column path such as `Account.Owner.CreatedDate`, if it resolves. */
function columnType(schema: SchemaLookup, object: ObjectDef, path: string): string | undefined {
  const parts = path.split('.');
  let current: ObjectDef | undefined = object;
  for (let i = 0; i < parts.length - 1 && current; i++) {
    const target: string | undefined = schema.getRelationship(current, parts[i] ?? '')?.referenceTo[0];
    current = target === undefined ? undefined : schema.getObject(target);
  }
  const last = parts[parts.length - 1];
  return current && last !== undefined ? schema.getField(current, last)?.type : undefined;
}
