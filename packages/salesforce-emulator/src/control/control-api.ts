/**
 * The control API under `/__emulator/` (JSON, no auth; the server binds
 * 127.0.0.1). Not Salesforce surface: see the package README.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendJson } from '../http.js';
import type { AutomationRule } from '../org/automation.js';
import type { ControlsInput } from '../org/controls.js';
import { seedPreset, seedRecords } from '../org/seed.js';
import type { SfValue } from '../ports.js';
import { renderRecord } from '../rest/render-record.js';
import type { ServerContext } from '../server.js';

type Reply = { status: number; body?: unknown };
type Route = (ctx: ServerContext, body: unknown, search: URLSearchParams, param: string) => Reply;

function obj(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw HttpError.of(400, 'JSON_PARSER_ERROR', 'Expected a JSON object.');
  return body as Record<string, unknown>;
}

const ROUTES: Record<string, Route> = {
  'GET /': () => ({ status: 200, body: { routes: Object.keys(ROUTES) } }),
  'GET /stats': (ctx) => ({
    status: 200,
    body: {
      ...ctx.org.counts(),
      apiUsage: { used: ctx.org.apiUsage, limit: ctx.org.controls.dailyApiLimit },
      sessions: ctx.org.sessions.size,
      pubsub: ctx.pubsubAddress ?? null,
    },
  }),
  'GET /records/:object': ({ org }, _b, search, object) => {
    const def = org.schema.getObject(object);
    if (def === undefined) throw HttpError.of(404, 'NOT_FOUND', `Unknown object ${object}.`);
    const limit = Number(search.get('limit') ?? '1000');
    const rows = org.list(def.name, search.get('includeDeleted') === 'true');
    return { status: 200, body: { totalSize: rows.length, records: rows.slice(-limit).map((r) => renderRecord(org, '59.0', r)) } };
  },
  'POST /seed': ({ org }, body) => {
    const b = obj(body);
    if (typeof b.preset === 'string') return { status: 200, body: seedPreset(org, b.preset) };
    if (typeof b.object !== 'string' || typeof b.count !== 'number')
      throw HttpError.of(400, 'INVALID_FIELD', 'seed needs {object, count, template?} or {preset}.');
    return { status: 200, body: seedRecords(org, b.object, b.count, { template: obj(b.template) as Record<string, SfValue> }) };
  },
  'GET /faults': ({ org }) => ({ status: 200, body: org.controls }),
  'PUT /faults': ({ org }, body) => {
    org.setControls(obj(body) as ControlsInput);
    return { status: 200, body: org.controls };
  },
  'POST /api-usage/reset': ({ org }) => {
    org.apiUsage = 0;
    return { status: 200, body: { used: 0, limit: org.controls.dailyApiLimit } };
  },
  'PUT /api-usage': ({ org }, body) => {
    const used = obj(body).used;
    if (typeof used !== 'number' || used < 0) throw HttpError.of(400, 'INVALID_FIELD', 'used must be a non-negative number.');
    org.apiUsage = used;
    return { status: 200, body: { used, limit: org.controls.dailyApiLimit } };
  },
  'POST /sessions/expire': ({ org }) => ({ status: 200, body: { expired: org.sessions.expireAll() } }),
  'POST /query-locators/expire': ({ locators }) => ({ status: 200, body: { expired: locators.expireAll() } }),
  'GET /automation': ({ org }) => ({ status: 200, body: org.automationRules }),
  'POST /automation': ({ org }, body) => {
    org.addAutomation(obj(body) as unknown as AutomationRule);
    return { status: 201, body: org.automationRules };
  },
  'DELETE /automation': ({ org }) => {
    org.clearAutomation();
    return { status: 200, body: [] };
  },
  'POST /auth/code': ({ org }) => ({
    status: 200,
    body: { code: org.sessions.issueCode({ userId: org.adminUserId, username: org.identity.username }) },
  }),
  'POST /auth/refresh-token': ({ org }) => ({
    status: 200,
    body: { refresh_token: org.sessions.issueRefreshToken({ userId: org.adminUserId, username: org.identity.username }) },
  }),
  'POST /recycle-bin/empty': ({ org }, body) => {
    const olderThanMs = obj(body).olderThanMs;
    return { status: 200, body: { purged: org.emptyRecycleBin(typeof olderThanMs === 'number' ? olderThanMs : 0) } };
  },
  'POST /streaming/drop-clients': ({ parts }) => {
    if (parts.streaming === undefined) throw HttpError.of(404, 'NOT_FOUND', 'The Streaming API is not mounted (see the emulator log).');
    return { status: 200, body: { dropped: parts.streaming.dropClients() } };
  },
  'POST /pubsub/drop-streams': ({ pubsub }) => {
    if (pubsub === undefined) throw HttpError.of(404, 'NOT_FOUND', 'The Pub/Sub API is off (see the emulator log).');
    return { status: 200, body: { dropped: pubsub.dropStreams() } };
  },
  'POST /undelete': ({ org }, body) => {
    const ids = obj(body).ids;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
      throw HttpError.of(400, 'INVALID_FIELD', 'undelete needs {ids: ["001…", …]} (a non-empty list of record Ids).');
    }
    return { status: 200, body: org.undelete(ids as string[]) };
  },
  'POST /reset': ({ org, locators }) => {
    org.reset();
    locators.expireAll();
    return { status: 200, body: { reset: true } };
  },
};

/** Handle `/__emulator{path}`. Bad input is a 400 with `[{message, errorCode}]`. */
export async function handleControl(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, path: string, search: URLSearchParams): Promise<void> {
  const normalized = path.replace(/\/$/, '') || '/';
  const raw = (req.method ?? 'GET').toUpperCase();
  // PATCH and POST on /faults merge settings exactly like PUT.
  const method = raw === 'PATCH' || (raw === 'POST' && normalized === '/faults') ? 'PUT' : raw;
  const recordMatch = /^\/records\/([^/]+)$/.exec(normalized);
  const key = recordMatch !== null ? `${method} /records/:object` : `${method} ${normalized}`;
  const route = ROUTES[key];
  if (route === undefined) throw HttpError.of(404, 'NOT_FOUND', `No control route ${method} /__emulator${normalized}; GET /__emulator/ lists them.`);
  const body = method === 'GET' || method === 'DELETE' ? undefined : await readOptionalBody(req);
  let reply: Reply;
  try {
    reply = route(ctx, body, search, recordMatch?.[1] ?? '');
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw HttpError.of(400, 'INVALID_CONTROL', (error as Error).message);
  }
  sendJson(res, reply.status, reply.body ?? {});
}

async function readOptionalBody(req: IncomingMessage): Promise<unknown> {
  const length = req.headers['content-length'];
  if (length === '0' || (length === undefined && req.headers['transfer-encoding'] === undefined)) return undefined;
  return readJson(req, 10 * 1024 * 1024);
}
