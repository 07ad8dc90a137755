/**
 * Routes `/services/data/vXX.X/...` calls (after auth and API counting, done
 * by the server) to their handlers. Synchronous, so `/composite` can run
 * subrequests atomically.
 */
import { collectionRetrieve, collections, collectionUpsert } from './collection-routes.js';
import { compositeGraph } from './composite-graph-route.js';
import { composite } from './composite-route.js';
import { describeGlobal } from './describe.js';
import { limits } from './limits-route.js';
import { queryMore, runQuery } from './query-routes.js';
import { deleted, updated } from './replication-routes.js';
import { notFound } from './rest-errors.js';
import { dataPath, type RestReply, type RestRequest } from './rest-types.js';
import { describe, methodNotAllowed, objectRoot, recordByExternalId, recordById } from './sobject-routes.js';

type Handler = (req: RestRequest, params: string[]) => RestReply;

const SEG = '([^/]+)';
const ROUTES: Array<[RegExp, Handler]> = [
  [/^\/?$/, resourceRoot],
  [/^\/sobjects\/?$/, (req) => getOnly(req, () => ({ status: 200, body: describeGlobal(req, req.org.schema) }))],
  [new RegExp(`^/sobjects/${SEG}/?$`), objectRoot],
  [new RegExp(`^/sobjects/${SEG}/describe/?$`), describe],
  [new RegExp(`^/sobjects/${SEG}/updated/?$`), (req, p) => getOnly(req, () => updated(req, p))],
  [new RegExp(`^/sobjects/${SEG}/deleted/?$`), (req, p) => getOnly(req, () => deleted(req, p))],
  [new RegExp(`^/sobjects/${SEG}/${SEG}/?$`), recordById],
  [new RegExp(`^/sobjects/${SEG}/${SEG}/${SEG}/?$`), recordByExternalId],
  [/^\/query\/?$/, (req) => getOnly(req, () => runQuery(req, false))],
  [/^\/queryAll\/?$/, (req) => getOnly(req, () => runQuery(req, true))],
  [new RegExp(`^/query(?:All)?/${SEG}/?$`), (req, p) => getOnly(req, () => queryMore(req, p))],
  [/^\/composite\/sobjects\/?$/, collections],
  [new RegExp(`^/composite/sobjects/${SEG}/?$`), collectionRetrieve],
  [new RegExp(`^/composite/sobjects/${SEG}/${SEG}/?$`), collectionUpsert],
  [/^\/composite\/?$/, (req) => composite(req, routeRest)],
  [/^\/composite\/graph\/?$/, (req) => compositeGraph(req, routeRest)],
  [/^\/limits\/?$/, (req) => getOnly(req, () => limits(req.org))],
];

/** Route one REST call; throws HttpError for Salesforce-shaped failures. */
export function routeRest(req: RestRequest): RestReply {
  for (const [pattern, handler] of ROUTES) {
    const m = pattern.exec(req.path);
    if (m !== null) return handler(req, m.slice(1).map(decodeSegment));
  }
  throw notFound();
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound();
  }
}

function getOnly(req: RestRequest, run: () => RestReply): RestReply {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method);
  return run();
}

function resourceRoot(req: RestRequest): RestReply {
  const base = dataPath(req);
  const names = [
    'tooling',
    'metadata',
    'eclair',
    'folders',
    'prechatForms',
    'contact-tracing',
    'domino',
    'event',
    'sobjects',
    'query',
    'queryAll',
    'search',
    'composite',
    'jobs',
    'limits',
    'recent',
    'tabs',
    'theme',
  ];
  const body: Record<string, string> = {};
  for (const n of names) body[n] = `${base}/${n}`;
  body.identity = `${req.baseUrl}/id/${req.org.orgId}/${req.session.userId}`;
  return getOnly(req, () => ({ status: 200, body }));
}
