/**
 * Bulk API 2.0 error replies. Bulk errors are `[{"errorCode":…,"message":…}]`
 * (jsforce's BulkApiV2.parseError reads `body[0]`); they share HttpError with
 * the rest of the emulator so the server could render them too.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, JSON_TYPE } from '../http.js';

/** A one-error Bulk reply, e.g. `bulkError(409, 'INVALIDJOBSTATE', 'Job is not open')`. */
export function bulkError(status: number, errorCode: string, message: string): HttpError {
  return new HttpError(status, [{ errorCode, message }]);
}

/** 404 for a job Id this org does not know (or that was deleted). */
export function jobNotFound(id: string): HttpError {
  return bulkError(404, 'NOT_FOUND', `The requested resource does not exist: no Bulk API 2.0 job with Id ${id}.`);
}

/** Write an HttpError in Bulk's `[{errorCode, message}]` order. */
export function sendBulkError(res: ServerResponse, error: HttpError): void {
  const body = JSON.stringify(error.errors.map((e) => ({ errorCode: e.errorCode, message: e.message })));
  res.writeHead(error.status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
