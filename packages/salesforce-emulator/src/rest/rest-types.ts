/**
 * The REST layer's request/reply shapes. Handlers are plain functions from a
 * RestRequest to a RestReply (no sockets), so `/composite` can run
 * subrequests through the same router as real HTTP calls.
 */
import type { Session, WriteContext } from '../ports.js';
import type { Org } from '../org/org.js';
import type { QueryLocators } from './query-locators.js';

/** One REST call, below `/services/data/vXX.X`. */
export interface RestRequest {
  org: Org;
  /** `59.0` */
  apiVersion: string;
  method: string;
  /** Path below the version, e.g. `/sobjects/Account/001…`; `''` for the version root. */
  path: string;
  search: URLSearchParams;
  /** Parsed JSON body (undefined when there was none). */
  body: unknown;
  /** Lower-case request headers that matter to REST (`sforce-query-options`, …). */
  headers: Record<string, string | undefined>;
  session: Session;
  writeCtx: WriteContext;
  locators: QueryLocators;
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
}

/** A reply; `body` undefined means no body (204). */
export interface RestReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route handler; the params are the route's capture groups. */
export type RestHandler = (req: RestRequest, params: string[]) => RestReply | Promise<RestReply>;

/** `/services/data/v59.0` for a request. */
export function dataPath(req: Pick<RestRequest, 'apiVersion'>): string {
  return `/services/data/v${req.apiVersion}`;
}
