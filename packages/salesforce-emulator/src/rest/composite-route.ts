/**
 * `POST /composite`: up to 25 subrequests run in order through the same
 * router, with `@{ref.path}` references to earlier results. With allOrNone,
 * every write is staged in one org transaction that commits only when all
 * subrequests succeed; the others then answer PROCESSING_HALTED.
 */
import { HttpError } from '../http.js';
import { requireBodyObject } from './rest-errors.js';
import type { RestReply, RestRequest } from './rest-types.js';

/** Subrequests per composite call. */
export const COMPOSITE_LIMIT = 25;

/** One subrequest (a node, in a composite graph). */
export interface SubRequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

/** One subrequest's result. */
export interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

/** Runs one subrequest: the server's router bound to the caller's session. */
export type Dispatch = (req: RestRequest) => RestReply;

export const HALTED_BEFORE = 'The transaction was rolled back since another operation in the same transaction failed.';
const HALTED_AFTER = 'Invalid reference specified. No value found because the transaction was rolled back.';

/** POST /composite */
export function composite(req: RestRequest, dispatch: Dispatch): RestReply {
  if (req.method !== 'POST') throw HttpError.of(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are POST`);
  const body = requireBodyObject(req.body);
  const subs = body.compositeRequest;
  if (!Array.isArray(subs) || subs.length === 0) throw HttpError.of(400, 'JSON_PARSER_ERROR', 'compositeRequest must be a non-empty array.');
  if (subs.length > COMPOSITE_LIMIT) {
    throw HttpError.of(400, 'INVALID_FIELD', `Composite requests cannot contain more than ${COMPOSITE_LIMIT} subrequests.`);
  }
  const allOrNone = body.allOrNone === true;
  const responses: SubResponse[] = [];
  const results = new Map<string, unknown>();
  const runAll = (): boolean => {
    for (const raw of subs as SubRequest[]) {
      const response = runOne(req, raw, results, dispatch);
      responses.push(response);
      if (response.httpStatusCode >= 400 && allOrNone) return false;
    }
    return true;
  };
  const ok = allOrNone ? req.org.atomically(runAll) : runAll();
  if (!ok) haltOthers(responses, subs as SubRequest[]);
  return { status: 200, body: { compositeResponse: responses } };
}

/** Run one subrequest with `@{ref…}` replaced from `results`; a successful reply's body is kept there under its referenceId. */
export function runOne(req: RestRequest, sub: SubRequest, results: Map<string, unknown>, dispatch: Dispatch): SubResponse {
  const referenceId = typeof sub.referenceId === 'string' ? sub.referenceId : '';
  try {
    const url = substitute(String(sub.url ?? ''), results) as string;
    const m = /^\/services\/data\/v(\d+\.\d)(\/[^?]*)?(?:\?(.*))?$/.exec(url);
    if (m === null) throw HttpError.of(400, 'INVALID_URL', `The composite subrequest URL ${url} is not a /services/data URL.`);
    const reply = dispatch({
      ...req,
      apiVersion: m[1] ?? req.apiVersion,
      method: String(sub.method ?? 'GET').toUpperCase(),
      path: m[2] ?? '',
      search: new URLSearchParams(m[3] ?? ''),
      body: substitute(sub.body, results),
      headers: { ...req.headers, ...lowerKeys(sub.httpHeaders ?? {}) },
    });
    if (reply.status < 400) results.set(referenceId, reply.body);
    return { body: reply.body ?? null, httpHeaders: reply.headers ?? {}, httpStatusCode: reply.status, referenceId };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { body: error.errors, httpHeaders: {}, httpStatusCode: error.status, referenceId };
  }
}

/** After a rolled-back run: the failed subrequest keeps its error, the others (run or not) answer PROCESSING_HALTED. */
export function haltOthers(responses: SubResponse[], subs: SubRequest[]): void {
  const failedAt = responses.findIndex((r) => r.httpStatusCode >= 400);
  responses.forEach((r, i) => {
    if (i !== failedAt) responses[i] = halted(r.referenceId, HALTED_BEFORE);
  });
  for (let i = responses.length; i < subs.length; i++) responses.push(halted(String(subs[i]?.referenceId ?? ''), HALTED_AFTER));
}

/** A PROCESSING_HALTED result. */
export function halted(referenceId: string, message: string): SubResponse {
  return { body: [{ errorCode: 'PROCESSING_HALTED', message }], httpHeaders: {}, httpStatusCode: 400, referenceId };
}

/** Replace `@{ref.path}` in every string of a value with the referenced result's value. */
function substitute(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([^}]+)\}$/.exec(value);
    if (whole?.[1] !== undefined) return lookup(whole[1], results);
    return value.replace(/@\{([^}]+)\}/g, (_m, ref: string) => String(lookup(ref, results)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  }
  return value;
}

function lookup(ref: string, results: Map<string, unknown>): unknown {
  const [head, ...path] = ref.split('.');
  if (head === undefined || !results.has(head)) {
    throw HttpError.of(400, 'INVALID_REFERENCE', `Invalid reference specified. No value for ${ref} found in ${head ?? ''}.`);
  }
  let current: unknown = results.get(head);
  for (const segment of path.flatMap((p) => p.split(/[[\]]/).filter((s) => s !== ''))) {
    if (current === null || typeof current !== 'object') {
      throw HttpError.of(400, 'INVALID_REFERENCE', `Invalid reference specified. No value for ${ref} found in ${head}.`);
    }
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined) throw HttpError.of(400, 'INVALID_REFERENCE', `Invalid reference specified. No value for ${ref} found in ${head}.`);
  return current;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
