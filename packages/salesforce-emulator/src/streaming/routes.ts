/**
 * The HTTP side of `/cometd/NN.N`: read the body (chunked or not), authenticate
 * the batch, run it through the {@link BayeuxServer}, and reply. Every reply is
 * HTTP 200 with a non-empty JSON array (`application/json;charset=UTF-8`), even
 * for garbage input: cometd treats anything else as a transport failure.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage as HttpRequest, ServerResponse } from 'node:http';
import { MAX_VERSION } from '../api-versions.js';
import { readBody, sendJson } from '../http.js';
import type { OrgPort, RouteInfo } from '../ports.js';
import type { IncomingMessage, OutgoingMessage } from './bayeux-message.js';
import { BayeuxErrors, errorReply } from './bayeux-message.js';
import type { BatchContext, BayeuxServer } from './bayeux-server.js';

/** Bayeux batches are small; 1 MB is far above any real one. */
const MAX_BATCH_BYTES = 1024 * 1024;

/** Handle one POST to `/cometd/NN.N`. */
export async function handleCometdRequest(
  req: HttpRequest,
  res: ServerResponse,
  route: RouteInfo,
  deps: { org: OrgPort; server: BayeuxServer; connectTimeoutMs: number },
): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    sendJson(res, 200, [{ successful: false, error: BayeuxErrors.notPost(req.method ?? '?') }]);
    return;
  }
  const parsed = await readBatch(req);
  if (!Array.isArray(parsed)) {
    sendJson(res, 200, [{ successful: false, error: parsed.error }]);
    return;
  }
  const versionError = versionProblem(route.apiVersion);
  if (versionError !== undefined) {
    sendJson(
      res,
      200,
      parsed.map((m) => (isMessage(m) ? errorReply(m, versionError) : invalidMessageReply(m))),
    );
    return;
  }
  const replies: OutgoingMessage[] = [];
  const valid: IncomingMessage[] = [];
  for (const message of parsed) {
    if (isMessage(message)) valid.push(message);
    else replies.push(invalidMessageReply(message));
  }
  const ctx = batchContext(req, route, deps.org);
  const result = deps.server.handleBatch(valid, ctx);
  if (result.hold !== undefined && replies.length === 0) {
    result.hold.session.hold(res, result.hold.reply, deps.connectTimeoutMs);
    return;
  }
  replies.push(...result.replies);
  if (result.hold !== undefined) replies.push(...result.hold.session.drain(), result.hold.reply);
  if (result.setCookies) res.setHeader('Set-Cookie', streamingCookies());
  sendJson(res, 200, replies);
}

/** Streaming needs a `NN.N` version of at least 37.0 in the URL (Streaming API error codes). */
const MIN_STREAMING_VERSION = 37;

/** The error for a URL without a usable version, or undefined. */
function versionProblem(apiVersion: string): string | undefined {
  const latest = `${MAX_VERSION}.0`;
  if (!/^\d+\.\d$/.test(apiVersion)) return BayeuxErrors.versionMissing(latest);
  return Number(apiVersion) < MIN_STREAMING_VERSION ? BayeuxErrors.versionUnsupported(latest) : undefined;
}

/** Parse the body as a non-empty JSON array, or say why it is not one. */
async function readBatch(req: HttpRequest): Promise<unknown[] | { error: string }> {
  let text: string;
  try {
    text = (await readBody(req, MAX_BATCH_BYTES)).toString('utf8');
  } catch (error) {
    return { error: BayeuxErrors.badJson((error as Error).message) };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { error: BayeuxErrors.badJson((error as Error).message) };
  }
  if (!Array.isArray(body) || body.length === 0) return { error: BayeuxErrors.notArray };
  return body;
}

function isMessage(value: unknown): value is IncomingMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>)['channel'] === 'string';
}

function invalidMessageReply(value: unknown): OutgoingMessage {
  const id = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['id'] : undefined;
  return { ...(id !== undefined ? { id } : {}), successful: false, error: BayeuxErrors.missingChannel };
}

function batchContext(req: HttpRequest, route: RouteInfo, org: OrgPort): BatchContext {
  const header = req.headers.authorization;
  let auth: BatchContext['auth'];
  try {
    auth = org.authenticate(header);
  } catch {
    auth = undefined;
  }
  return {
    auth,
    hasAuthHeader: typeof header === 'string' && header.length > 0,
    hasBrowserCookie: /(?:^|;\s*)BAYEUX_BROWSER=/.test(req.headers.cookie ?? ''),
    apiVersion: route.apiVersion,
  };
}

/** The cookies Salesforce sets on handshake and expects back on later requests. */
function streamingCookies(): string[] {
  const browser = randomBytes(12).toString('base64url');
  const stream = randomBytes(12).toString('hex');
  return [`BAYEUX_BROWSER=${browser}; Path=/; HttpOnly`, `sfdc-stream=!${stream}; Path=/`];
}
