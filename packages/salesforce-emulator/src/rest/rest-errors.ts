/**
 * Common REST refusals, worded as Salesforce words them.
 */
import { HttpError } from '../http.js';
import type { ObjectDef, SfError, WriteResult } from '../ports.js';
import type { Org } from '../org/org.js';
import { normalizeId } from '../org/ids.js';
import type { StoredRow } from '../org/record-store.js';

/** 404 NOT_FOUND, Salesforce's answer for unknown resources and objects. */
export function notFound(): HttpError {
  return HttpError.of(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** The object named in a URL, or 404. */
export function requireObject(org: Org, name: string | undefined): ObjectDef {
  const object = name === undefined ? undefined : org.schema.getObject(name);
  if (object === undefined) throw notFound();
  return object;
}

/** The record an Id in a URL names: 404 NOT_FOUND when unknown, 404 ENTITY_IS_DELETED when in the recycle bin. */
export function requireRecord(org: Org, object: ObjectDef, rawId: string, allowDeleted = false): StoredRow {
  const id = normalizeId(rawId);
  const row = id === undefined ? undefined : org.latest(id);
  if (row === undefined || row.object !== object.name) throw notFound();
  if (row.isDeleted && !allowDeleted) throw HttpError.of(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  return row;
}

/** A single failed write as an HTTP error (400, or 404 for deleted/unknown targets). */
export function writeError(errors: SfError[]): HttpError {
  const status = errors.some((e) => e.statusCode === 'ENTITY_IS_DELETED') ? 404 : 400;
  return new HttpError(
    status,
    errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })),
  );
}

/** Unwrap a single write result or throw its error. */
export function expectSuccess(result: WriteResult | undefined): Extract<WriteResult, { success: true }> {
  if (result === undefined) throw HttpError.of(500, 'UNKNOWN_EXCEPTION', 'The write returned no result.');
  if (!result.success) throw writeError(result.errors);
  return result;
}

/** A JSON object body, or 400. */
export function requireBodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw HttpError.of(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}
