/**
 * Single-record REST: create, retrieve, update, delete, upsert by external id
 * (docs/wire-notes.md, Single-record REST), and platform event publishing.
 */
import { HttpError } from '../http.js';
import type { FieldDef, ObjectDef } from '../ports.js';
import type { StoredRow } from '../org/record-store.js';
import { describeObject, objectSummary } from './describe.js';
import { renderRecord } from './render-record.js';
import { expectSuccess, notFound, requireBodyObject, requireObject, requireRecord } from './rest-errors.js';
import { dataPath, type RestReply, type RestRequest } from './rest-types.js';

/** GET /sobjects/X (basic info) and POST /sobjects/X (create or publish). */
export function objectRoot(req: RestRequest, [name]: string[]): RestReply {
  const object = requireObject(req.org, name);
  if (req.method === 'GET') return { status: 200, body: { objectDescribe: objectSummary(req, object), recentItems: [] } };
  if (req.method !== 'POST') throw methodNotAllowed(req.method);
  const values = requireBodyObject(req.body);
  const result = object.isPlatformEvent
    ? req.org.publish(object.name, values, req.writeCtx)
    : req.org.write([{ kind: 'create', object: object.name, values }], { allOrNone: true }, req.writeCtx)[0];
  const ok = expectSuccess(result);
  // Composite replies show it as httpHeaders.Location (REST API Developer Guide, Composite examples); events have no record URL.
  const headers = object.isPlatformEvent ? undefined : { Location: `${dataPath(req)}/sobjects/${object.name}/${ok.id}` };
  return { status: 201, body: { id: ok.id, success: true, errors: [] }, ...(headers ? { headers } : {}) };
}

/** GET /sobjects/X/describe */
export function describe(req: RestRequest, [name]: string[]): RestReply {
  if (req.method !== 'GET') throw methodNotAllowed(req.method);
  return { status: 200, body: describeObject(req, req.org.schema, requireObject(req.org, name)) };
}

/** GET/PATCH/DELETE /sobjects/X/{id} */
export function recordById(req: RestRequest, [name, rawId]: string[]): RestReply {
  const object = requireObject(req.org, name);
  const row = requireRecord(req.org, object, rawId ?? '');
  switch (req.method) {
    case 'GET':
      return {
        status: 200,
        body: renderRecord(req.org, req.apiVersion, row, selectedFields(req, object)),
        // The REST guide's record examples carry the record's LastModifiedDate as Last-Modified.
        headers: lastModified(row.values.LastModifiedDate),
      };
    case 'PATCH':
      expectSuccess(
        req.org.write([{ kind: 'update', object: object.name, id: row.id, values: requireBodyObject(req.body) }], { allOrNone: true }, req.writeCtx)[0],
      );
      return { status: 204 };
    case 'DELETE':
      expectSuccess(req.org.write([{ kind: 'delete', id: row.id }], { allOrNone: true }, req.writeCtx)[0]);
      return { status: 204 };
    default:
      throw methodNotAllowed(req.method);
  }
}

/** GET/PATCH/DELETE /sobjects/X/{extField}/{value}: read, upsert or delete by external id. */
export function recordByExternalId(req: RestRequest, [name, fieldName, rawValue]: string[]): RestReply {
  const object = requireObject(req.org, name);
  const field = req.org.schema.getField(object, fieldName ?? '');
  if (field === undefined || !(field.externalId || field.idLookup)) throw notFound();
  const value = rawValue ?? '';
  if (field.type === 'id') {
    if (req.method === 'PATCH') return upsert(req, object, field, value, value === '' ? [] : [requireRecord(req.org, object, value)]);
    return recordById(req, [object.name, value]);
  }
  const matches = req.org.findByExternalId(object.name, field.name, value);
  if (req.method === 'PATCH') return upsert(req, object, field, value, matches);
  if (matches.length > 1) return multipleChoices(req, object, matches);
  const [match] = matches;
  if (match === undefined) throw notFound();
  return recordById(req, [object.name, match.id]);
}

function upsert(req: RestRequest, object: ObjectDef, field: FieldDef, value: string, matches: StoredRow[]): RestReply {
  if (matches.length > 1) return multipleChoices(req, object, matches);
  if (matches.length === 0 && req.search.get('updateOnly') === 'true') throw notFound();
  const body = requireBodyObject(req.body);
  const bodyKey = Object.keys(body).find((k) => k.toLowerCase() === field.name.toLowerCase());
  if (bodyKey !== undefined && String(body[bodyKey]) !== value && field.type !== 'id') {
    throw HttpError.of(400, 'INVALID_FIELD', `The value of field ${field.name} in the body does not match the external id in the URL.`, [field.name]);
  }
  const values = field.type === 'id' ? body : { ...body, [field.name]: value };
  const result = expectSuccess(
    req.org.write(
      [{ kind: 'upsert', object: object.name, externalIdField: field.name, values: field.type === 'id' && value !== '' ? { ...body, Id: value } : values }],
      { allOrNone: true },
      req.writeCtx,
    )[0],
  );
  const created = result.created === true;
  const headers = created ? { headers: { Location: `${dataPath(req)}/sobjects/${object.name}/${result.id}` } } : {};
  return { status: created ? 201 : 200, body: { id: result.id, success: true, errors: [], created }, ...headers };
}

function multipleChoices(req: RestRequest, object: ObjectDef, matches: StoredRow[]): RestReply {
  return { status: 300, body: matches.map((m) => `${dataPath(req)}/sobjects/${object.name}/${m.id}`) };
}

function selectedFields(req: RestRequest, object: ObjectDef): FieldDef[] | undefined {
  const list = req.search.get('fields');
  if (list === null || list.trim() === '') return undefined;
  return list.split(',').map((raw) => {
    const f = req.org.schema.getField(object, raw.trim());
    if (f === undefined) throw HttpError.of(400, 'INVALID_FIELD', `No such column '${raw.trim()}' on sobject of type ${object.name}`, [raw.trim()]);
    return f;
  });
}

/** 405 as Salesforce answers an unsupported method. */
export function methodNotAllowed(method: string): HttpError {
  return HttpError.of(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET,PATCH,DELETE,POST,HEAD`);
}

/** `Last-Modified` in HTTP date form, or no header when the record has no LastModifiedDate. */
function lastModified(value: unknown): Record<string, string> {
  const ms = typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  return Number.isNaN(ms) ? {} : { 'Last-Modified': new Date(ms).toUTCString() };
}
