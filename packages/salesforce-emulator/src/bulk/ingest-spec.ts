/**
 * The validated body of `POST /jobs/ingest` (Create a Job). Errors are the
 * 400 replies Salesforce gives before a job exists.
 */
import type { ObjectDef, SchemaLookup } from '../ports.js';
import { bulkError } from './bulk-errors.js';
import { parseDialect, type CsvDialect } from './csv-dialect.js';

/** Ingest operations of Bulk 2.0. */
export const INGEST_OPERATIONS = ['insert', 'update', 'upsert', 'delete', 'hardDelete'] as const;

/** One ingest operation. */
export type IngestOperation = (typeof INGEST_OPERATIONS)[number];

/** What an ingest job was created with. */
export interface IngestSpec extends CsvDialect {
  object: ObjectDef;
  operation: IngestOperation;
  /** Canonical external-id field name (upsert only). */
  externalIdFieldName?: string;
  /** Bulk 2.0 accepts only CSV. */
  contentType: 'CSV';
}

/** Validate a create request body; throws a 400 HttpError naming the fix. */
export function parseIngestSpec(schema: SchemaLookup, body: unknown): IngestSpec {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw bulkError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object such as {"object":"Account","operation":"insert"}.');
  }
  const input = body as Record<string, unknown>;
  const operation = input['operation'];
  if (typeof operation !== 'string' || !(INGEST_OPERATIONS as readonly string[]).includes(operation)) {
    throw bulkError(400, 'INVALIDJOB', `InvalidJob : Invalid job operation: ${String(operation)}. Use one of ${INGEST_OPERATIONS.join(', ')}.`);
  }
  const object = resolveObject(schema, input['object']);
  const contentType = input['contentType'] ?? 'CSV';
  if (contentType !== 'CSV') {
    throw bulkError(400, 'INVALIDJOB', `InvalidJob : Invalid contentType: ${String(contentType)}. Bulk API 2.0 accepts only CSV.`);
  }
  const dialect = parseDialect(input);
  if (typeof dialect === 'string') throw bulkError(400, 'INVALIDJOB', `InvalidJob : ${dialect}`);
  const spec: IngestSpec = { object, operation: operation as IngestOperation, contentType: 'CSV', ...dialect };
  if (operation === 'upsert') spec.externalIdFieldName = resolveExternalId(schema, object, input['externalIdFieldName']);
  return spec;
}

function resolveObject(schema: SchemaLookup, name: unknown): ObjectDef {
  const object = typeof name === 'string' ? schema.getObject(name) : undefined;
  if (!object || object.isPlatformEvent) {
    throw bulkError(400, 'INVALIDENTITY', `InvalidEntity : sObject type '${String(name)}' is not supported by the Bulk API.`);
  }
  return object;
}

function resolveExternalId(schema: SchemaLookup, object: ObjectDef, name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw bulkError(400, 'INVALIDJOB', `InvalidJob : External ID was blank for ${object.name}. An External ID must be specified for upsert.`);
  }
  const field = schema.getField(object, name);
  if (!field || !(field.externalId || field.idLookup || field.type === 'id')) {
    throw bulkError(
      400,
      'INVALIDJOB',
      `InvalidJob : Field ${name} on ${object.name} is not an external id or indexed field; mark it externalId to upsert by it.`,
    );
  }
  return field.name;
}
