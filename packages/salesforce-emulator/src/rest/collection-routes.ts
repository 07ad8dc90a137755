/**
 * sObject Collections: create, update, upsert, delete and retrieve up to 200
 * records per call (docs/wire-notes.md, sObject Collections). A well-formed
 * call is always HTTP 200 with one result per record in input order;
 * per-record errors use `statusCode`.
 */
import { HttpError } from '../http.js';
import type { WriteOp, WriteResult } from '../ports.js';
import { normalizeId } from '../org/ids.js';
import { renderRecord } from './render-record.js';
import { requireBodyObject, requireObject } from './rest-errors.js';
import type { RestReply, RestRequest } from './rest-types.js';
import { methodNotAllowed } from './sobject-routes.js';

/** Records per collections call. */
export const COLLECTION_LIMIT = 200;

type Rec = Record<string, unknown>;

function tooMany(): HttpError {
  return HttpError.of(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`);
}

function readRecords(req: RestRequest): { allOrNone: boolean; records: Rec[] } {
  const body = requireBodyObject(req.body);
  const records = body.records;
  if (!Array.isArray(records)) throw HttpError.of(400, 'JSON_PARSER_ERROR', 'The request body must have a records array.');
  if (records.length > COLLECTION_LIMIT) throw tooMany();
  for (const r of records)
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw HttpError.of(400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object.');
  return { allOrNone: body.allOrNone === true, records: records as Rec[] };
}

function typeOf(record: Rec): string | undefined {
  const type = (record.attributes as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : undefined;
}

/** A per-record failure placeholder for records refused before reaching the org. */
type Prepared = WriteOp | { error: WriteResult };

function run(req: RestRequest, prepared: Prepared[], allOrNone: boolean): WriteResult[] {
  const ops = prepared.filter((p): p is WriteOp => !('error' in p));
  if (allOrNone && ops.length < prepared.length) {
    // A record refused before reaching the org fails the call: nothing is written.
    return prepared.map((p) => ('error' in p ? p.error : rollback({ success: true, id: '' })));
  }
  const results = req.org.write(ops, { allOrNone }, req.writeCtx);
  let i = 0;
  return prepared.map((p) => ('error' in p ? p.error : (results[i++] as WriteResult)));
}

function shape(result: WriteResult, withCreated: boolean): Rec {
  const created = withCreated && 'created' in result ? { created: result.created ?? false } : {};
  if (result.success) return { id: result.id, success: true, errors: [], ...created };
  return { ...(result.id !== undefined ? { id: result.id } : {}), success: false, errors: result.errors, ...created };
}

function refuse(statusCode: string, message: string, id?: string): { error: WriteResult } {
  return { error: { success: false, ...(id !== undefined ? { id } : {}), errors: [{ statusCode, message, fields: [] }] } };
}

/** POST/PATCH/DELETE /composite/sobjects */
export function collections(req: RestRequest): RestReply {
  if (req.method === 'DELETE') return destroy(req);
  const { allOrNone, records } = readRecords(req);
  let prepared: Prepared[];
  if (req.method === 'POST') {
    prepared = records.map((r): Prepared => {
      const type = typeOf(r);
      if (type === undefined) return refuse('INVALID_TYPE', 'Must send a concrete entity type.');
      if (r.id !== undefined || r.Id !== undefined) return refuse('INVALID_FIELD', 'cannot specify Id in an insert call');
      return { kind: 'create', object: type, values: r };
    });
  } else if (req.method === 'PATCH') {
    prepared = records.map((r): Prepared => {
      const { id, Id, ...values } = r;
      const raw = id ?? Id;
      if (typeof raw !== 'string') return refuse('MISSING_ARGUMENT', 'Id not specified in an update call');
      const type = typeOf(r);
      return { kind: 'update', ...(type !== undefined ? { object: type } : {}), id: raw, values };
    });
  } else {
    throw methodNotAllowed(req.method);
  }
  return withAllOrNone(run(req, prepared, allOrNone), allOrNone, false);
}

/** PATCH /composite/sobjects/{Object}/{ExtIdField} */
export function collectionUpsert(req: RestRequest, [name, field]: string[]): RestReply {
  if (req.method !== 'PATCH') throw methodNotAllowed(req.method);
  const object = requireObject(req.org, name);
  const { allOrNone, records } = readRecords(req);
  const prepared = records.map((r): Prepared => {
    const type = typeOf(r);
    if (type !== undefined && type.toLowerCase() !== object.name.toLowerCase()) {
      return refuse('INVALID_TYPE', `Record type ${type} does not match ${object.name}`);
    }
    return { kind: 'upsert', object: object.name, externalIdField: field ?? '', values: r };
  });
  return withAllOrNone(run(req, prepared, allOrNone), allOrNone, true);
}

function destroy(req: RestRequest): RestReply {
  const ids = (req.search.get('ids') ?? '').split(',').filter((s) => s !== '');
  if (ids.length > COLLECTION_LIMIT) throw tooMany();
  const allOrNone = req.search.get('allOrNone') === 'true';
  const prepared = ids.map((raw): Prepared => {
    const id = normalizeId(raw);
    if (id === undefined) return refuse('MALFORMED_ID', `malformed id ${raw}`, raw);
    const row = req.org.latest(id);
    if (row === undefined) return refuse('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', id);
    if (row.isDeleted) return refuse('ENTITY_IS_DELETED', 'entity is deleted', id);
    return { kind: 'delete', id };
  });
  const results = run(req, prepared, allOrNone).map((r, i) => (r.success ? r : { ...r, id: r.id ?? normalizeId(ids[i] ?? '') ?? ids[i] }));
  return withAllOrNone(results, allOrNone, false);
}

function withAllOrNone(results: WriteResult[], allOrNone: boolean, withCreated: boolean): RestReply {
  const failed = results.some((r) => !r.success);
  const finalResults = allOrNone && failed ? results.map(rollback) : results;
  return { status: 200, body: finalResults.map((r) => shape(r, withCreated)) };
}

function rollback(result: WriteResult): WriteResult {
  if (!result.success) return result;
  return {
    success: false,
    errors: [
      {
        statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
        message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
        fields: [],
      },
    ],
    ...(result.created !== undefined ? { created: result.created } : {}),
  } as WriteResult;
}

/** POST (or GET) /composite/sobjects/{Object}: retrieve by ids, null for unknown ones. */
export function collectionRetrieve(req: RestRequest, [name]: string[]): RestReply {
  const object = requireObject(req.org, name);
  let ids: unknown;
  let fields: unknown;
  if (req.method === 'POST') ({ ids, fields } = requireBodyObject(req.body));
  else if (req.method === 'GET') {
    ids = (req.search.get('ids') ?? '').split(',').filter((s) => s !== '');
    fields = (req.search.get('fields') ?? '').split(',').filter((s) => s !== '');
  } else throw methodNotAllowed(req.method);
  if (!Array.isArray(ids) || !Array.isArray(fields)) throw HttpError.of(400, 'JSON_PARSER_ERROR', 'ids and fields must be arrays.');
  if (ids.length > 2000) throw tooMany();
  const defs = fields.map((f) => {
    const def = req.org.schema.getField(object, String(f));
    if (def === undefined) throw HttpError.of(400, 'INVALID_FIELD', `No such column '${String(f)}' on entity '${object.name}'`);
    return def;
  });
  const body = ids.map((raw) => {
    const id = normalizeId(String(raw));
    const row = id === undefined ? undefined : req.org.latest(id);
    if (row === undefined || row.isDeleted || row.object !== object.name) return null;
    return renderRecord(req.org, req.apiVersion, row, defs.length > 0 ? defs : undefined);
  });
  return { status: 200, body };
}
