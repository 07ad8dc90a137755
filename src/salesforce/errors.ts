/**
 * What a Salesforce failure means for the sync: retry it, stop on it, wait for
 * the API budget, or find out whether it happened.
 */
import { isSfsyncError } from '../errors.js';

/**
 * - `retryable`: try again with back-off (5xx, UNABLE_TO_LOCK_ROW, time-outs before sending);
 * - `permanent`: the record is wrong (validation, required field, too long, deleted entity);
 * - `limit`: REQUEST_LIMIT_EXCEEDED: pause calls to this org until the budget recovers;
 * - `unknown_outcome`: a write whose reply was lost: it may have committed, so
 *   look it up (or upsert by External ID) before sending it again.
 */
export type FailureKind = 'retryable' | 'permanent' | 'limit' | 'unknown_outcome';

/** Per-record `statusCode`s that succeed when simply tried again. */
const RETRYABLE_RECORD_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
]);

/** Classify a per-record error of sObject Collections or Bulk results. */
export function classifyRecordError(statusCode: string): 'retryable' | 'permanent' | 'limit' {
  if (statusCode === 'REQUEST_LIMIT_EXCEEDED') return 'limit';
  return RETRYABLE_RECORD_CODES.has(statusCode) ? 'retryable' : 'permanent';
}

/** Socket-level failures: the request may or may not have reached Salesforce. */
const NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);
/** Failures that prove the request never left. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Classify a failed API call (a thrown jsforce error). `write` says whether it could have changed data. */
export function classifyCallError(error: unknown, options: { write: boolean }): FailureKind {
  const e = error as { name?: string; errorCode?: string; code?: string; message?: string; cause?: { code?: string } };
  const name = e.errorCode ?? e.name ?? '';
  const code = e.code ?? e.cause?.code ?? '';
  if (name === 'REQUEST_LIMIT_EXCEEDED') return 'limit';
  if (NOT_SENT_CODES.has(code)) return 'retryable';
  if (NETWORK_CODES.has(code) || /socket hang up|other side closed|premature close|terminated/i.test(e.message ?? '')) {
    return options.write ? 'unknown_outcome' : 'retryable';
  }
  if (/^ERROR_HTTP_(5\d\d|429|420)$/.test(name) || RETRYABLE_RECORD_CODES.has(name) || name === 'INVALID_SESSION_ID') return 'retryable';
  return 'permanent';
}

/** A compact, JSON-safe description of an error for `outbox.error` / `last_error` columns. Never includes secrets. */
export function describeError(error: unknown): { code: string; message: string; fields?: string[] } {
  const e = error as { name?: string; errorCode?: string; code?: string; message?: string; fields?: string[] };
  // sfsync's own errors carry their stable code (MAPPING_INVALID …); their name is only 'SfsyncError'.
  const code = isSfsyncError(error) ? error.code : (e.errorCode ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'UNKNOWN');
  return { code, message: (e.message ?? String(error)).slice(0, 2000), ...(e.fields?.length ? { fields: e.fields } : {}) };
}
