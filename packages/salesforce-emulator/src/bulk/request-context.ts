/**
 * What every Bulk handler needs from a request: the org, the job store, the
 * caller (session → JobOwner) and the parsed route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OrgPort, RouteInfo } from '../ports.js';
import { bulkError } from './bulk-errors.js';
import type { JobOwner } from './ingest-job.js';
import type { JobStore } from './job-store.js';

/** One routed Bulk request. */
export interface BulkRequest {
  req: IncomingMessage;
  res: ServerResponse;
  route: RouteInfo;
  org: OrgPort;
  store: JobStore;
  /** Path segments below `/jobs/<kind>`, e.g. `['750…', 'results']`. */
  segments: string[];
}

/** The job owner for the authenticated caller; CDC/audit origin names the Bulk API and the client. */
export function ownerOf(request: BulkRequest): JobOwner {
  const session = request.route.session;
  if (!session) throw bulkError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  const callOptions = request.req.headers['sforce-call-options'];
  const client = /(?:^|,)\s*client=([^,]+)/.exec(Array.isArray(callOptions) ? callOptions.join(',') : (callOptions ?? ''))?.[1];
  const version = request.route.apiVersion;
  return {
    userId: session.userId,
    apiVersion: version,
    changeOrigin: `com/salesforce/api/bulkapi/${version}${client ? `;client=${client.trim()}` : ''}`,
  };
}

/** 405 naming the methods a resource allows. */
export function methodNotAllowed(method: string | undefined, allowed: string[]): never {
  throw bulkError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method ?? ''}' not allowed. Allowed are ${allowed.join(',')}`);
}

/** The `{"records":[…]}` list shape of Get All Jobs (one page; this emulator never splits it). */
export function jobList(records: Array<Record<string, unknown>>): Record<string, unknown> {
  return { done: true, records, nextRecordsUrl: null };
}
