/**
 * The emulator's HTTP server: routes OAuth/SOAP login, identity, REST, Bulk
 * 2.0, CometD and the control API, applies latency/faults/API counting, and
 * turns every failure into a Salesforce-shaped reply (never a crash).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isServedVersion, versionList } from './api-versions.js';
import { handleIdentity } from './auth/identity-endpoint.js';
import { handleAuthorize, handleRevoke, handleToken } from './auth/oauth-endpoints.js';
import { handleSoap } from './auth/soap-endpoint.js';
import { handleControl } from './control/control-api.js';
import { HttpError, readJson, sendErrors, sendJson } from './http.js';
import type { Org } from './org/org.js';
import { applyLatency, injectedFault, loseResponse, shouldLoseResponse } from './request-faults.js';
import { QueryLocators } from './rest/query-locators.js';
import { routeRest } from './rest/rest-router.js';
import type { RestReply } from './rest/rest-types.js';
import type { PubSubServer } from './pubsub/index.js';
import type { ServerParts } from './server-parts.js';

/** Logs real bugs (500s) and part failures; never receives tokens. */
export type EmulatorLog = (message: string, error?: unknown) => void;

/** What the server needs besides the org. */
export interface ServerContext {
  org: Org;
  parts: ServerParts;
  locators: QueryLocators;
  log: EmulatorLog;
  /** Set once listening: `http://127.0.0.1:PORT`. */
  baseUrl: string;
  /** The Pub/Sub API's gRPC target `127.0.0.1:PORT`, once it listens (undefined when off). */
  pubsubAddress?: string;
  /** The Pub/Sub API server, once it listens (undefined when off). */
  pubsub?: PubSubServer;
}

/** Create the HTTP server (not yet listening). WebSocket upgrades are refused so CometD falls back to long-polling. */
export function createEmulatorServer(ctx: ServerContext): Server {
  // Node's default (16 KB) would refuse a long request line before the emulator could answer 414 as Salesforce does.
  const server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    handle(ctx, req, res).catch((error: unknown) => fail(ctx, res, error));
  });
  server.on('upgrade', (_req, socket) => {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function fail(ctx: ServerContext, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendErrors(res, error.status, error.errors);
    return;
  }
  ctx.log('unhandled error', error);
  sendErrors(res, 500, [{ message: 'An unexpected error occurred in the sfsync emulator; see its log.', errorCode: 'UNKNOWN_EXCEPTION' }]);
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = url.pathname;
  const { org } = ctx;
  if (path.startsWith('/__emulator')) return handleControl(ctx, req, res, path.slice('/__emulator'.length), url.searchParams);
  if (tooLong(req, res)) return;
  await applyLatency(org.controls);
  let m: RegExpExecArray | null;
  if (path === '/services/oauth2/token') return handleToken(req, res, org, ctx.baseUrl, url.searchParams);
  if (path === '/services/oauth2/authorize') return handleAuthorize(res, org, url.searchParams);
  if (path === '/services/oauth2/revoke') return handleRevoke(req, res, org, url.searchParams);
  if ((m = /^\/services\/Soap\/u\/(\d+\.\d)(?:\/.*)?$/.exec(path)) !== null) return handleSoap(req, res, org, ctx.baseUrl, m[1] ?? '59.0');
  if (path.startsWith('/id/')) return handleIdentity(req, res, org, ctx.baseUrl, path, url.searchParams);
  if (path === '/services/data' || path === '/services/data/') return sendJson(res, 200, versionList());
  if ((m = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(path)) !== null) {
    return handleData(ctx, req, res, m[1] ?? '', m[2] ?? '', url.searchParams);
  }
  // Any /cometd URL goes to streaming, which answers a missing or unsupported version in Bayeux form.
  if ((m = /^\/cometd(?:\/([^/]*))?(\/.*)?$/.exec(path)) !== null && ctx.parts.streaming !== undefined) {
    return ctx.parts.streaming.handle(req, res, { apiVersion: m[1] ?? '', path: m[2] ?? '', search: url.searchParams });
  }
  throw HttpError.of(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** Salesforce's limit on the URI, and on the URI and headers together, in bytes (Salesforce Help article 000386264). */
export const URI_AND_HEADERS_LIMIT = 16_384;

/** Answer 414 (URI) or 431 (URI and headers) past Salesforce's limit; true when it did. */
function tooLong(req: IncomingMessage, res: ServerResponse): boolean {
  const uri = Buffer.byteLength(req.url ?? '');
  let total = uri + (req.method ?? '').length + 10;
  for (let i = 0; i < req.rawHeaders.length; i += 2) total += Buffer.byteLength(req.rawHeaders[i] ?? '') + Buffer.byteLength(req.rawHeaders[i + 1] ?? '') + 4;
  if (uri <= URI_AND_HEADERS_LIMIT && total <= URI_AND_HEADERS_LIMIT) return false;
  const [status, text] = uri > URI_AND_HEADERS_LIMIT ? [414, 'URI Too Long'] : [431, 'Request Header Fields Too Large'];
  res.writeHead(status, { 'Content-Type': 'text/plain;charset=UTF-8', Connection: 'close' });
  res.end(text);
  return true;
}

async function handleData(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  apiVersion: string,
  rest: string,
  search: URLSearchParams,
): Promise<void> {
  const { org } = ctx;
  if (!isServedVersion(apiVersion)) throw HttpError.of(404, 'NOT_FOUND', 'The requested resource does not exist');
  const session = org.authenticate(req.headers.authorization);
  if (session === undefined) throw HttpError.of(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  const counted = org.countApiCall();
  // Every authenticated REST/Bulk reply carries the usage, the refused ones too.
  res.setHeader('Sforce-Limit-Info', `api-usage=${org.apiUsage}/${org.controls.dailyApiLimit}`);
  if (!counted) throw HttpError.of(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  const method = (req.method ?? 'GET').toUpperCase();
  const path = `/services/data/v${apiVersion}${rest}`;
  const fault = injectedFault(org.controls, method, path);
  if (fault !== undefined) throw fault;
  if (shouldLoseResponse(org.controls, method, path)) loseResponse(req, res);
  if (rest === '/jobs' || rest.startsWith('/jobs/')) {
    if (ctx.parts.bulk === undefined) throw HttpError.of(404, 'NOT_FOUND', 'The requested resource does not exist');
    return ctx.parts.bulk.handle(req, res, { apiVersion, path: rest.slice('/jobs'.length), search, session });
  }
  const body = method === 'POST' || method === 'PATCH' || method === 'PUT' ? await readOptionalJson(req) : undefined;
  const reply = routeRest({
    org,
    apiVersion,
    method,
    path: rest,
    search,
    body,
    session,
    headers: { 'sforce-query-options': header(req, 'sforce-query-options') },
    writeCtx: { userId: session.userId, changeOrigin: changeOrigin('rest', apiVersion, req) },
    locators: ctx.locators,
    baseUrl: ctx.baseUrl,
  });
  send(res, reply);
}

/** `com/salesforce/api/rest/59.0;client=X` from `Sforce-Call-Options: client=X`. */
export function changeOrigin(api: 'rest' | 'soap' | 'bulkapi', apiVersion: string, req: IncomingMessage): string {
  const client = /(?:^|[,;\s])client=([^,;\s]+)/.exec(header(req, 'sforce-call-options') ?? '')?.[1];
  return `com/salesforce/api/${api}/${apiVersion}${client !== undefined ? `;client=${client}` : ''}`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

async function readOptionalJson(req: IncomingMessage): Promise<unknown> {
  if (req.headers['content-length'] === '0') return undefined;
  return readJson(req);
}

function send(res: ServerResponse, reply: RestReply): void {
  sendJson(res, reply.status, reply.body, reply.headers);
}
