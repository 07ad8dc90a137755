/**
 * Small HTTP helpers shared by every part of the emulator, so each reply has
 * exactly the content types and error shapes jsforce expects
 * (docs/wire-notes.md, HTTP conventions).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Salesforce's JSON content type; jsforce parses JSON only for `application/json(;|$)`. */
export const JSON_TYPE = 'application/json;charset=UTF-8';

/** Default request-body cap: 150 MB, Bulk 2.0's upload limit. */
export const MAX_BODY_BYTES = 150 * 1024 * 1024;

/** One REST error in Salesforce's list shape. */
export interface RestError {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** Thrown by handlers to answer with Salesforce's error list; the server turns it into the reply. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: RestError[],
  ) {
    super(errors[0]?.message ?? `HTTP ${status}`);
    this.name = errors[0]?.errorCode ?? 'HttpError';
  }

  /** A one-error reply: `new HttpError(400, …)` with a single `{message, errorCode}`. */
  static of(status: number, errorCode: string, message: string, fields?: string[]): HttpError {
    return new HttpError(status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);
  }
}

/** Send a JSON body (or nothing, for 204) with Salesforce's content type. */
export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Send Salesforce's `[{message, errorCode, fields?}]` error list. */
export function sendErrors(res: ServerResponse, status: number, errors: RestError[]): void {
  sendJson(res, status, errors);
}

/** Read the whole request body (chunked or not), refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      throw HttpError.of(413, 'REQUEST_ENTITY_TOO_LARGE', `Request body exceeds the ${limit} byte limit.`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Read and parse a JSON body; malformed JSON is Salesforce's 400 JSON_PARSER_ERROR. */
export async function readJson<T = unknown>(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<T> {
  const raw = (await readBody(req, limit)).toString('utf8');
  try {
    return JSON.parse(raw) as T;
  } catch (error) {
    throw HttpError.of(400, 'JSON_PARSER_ERROR', `The request body is not valid JSON: ${(error as Error).message}`);
  }
}
