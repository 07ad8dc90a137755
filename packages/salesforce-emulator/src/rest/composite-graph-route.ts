/**
 * `POST /composite/graph` (API 50.0 and later): up to 75 graphs and 500 nodes
 * per call. Each graph is all-or-nothing: its nodes run in order through the
 * same router as `/composite`, staged in one org transaction that commits only
 * when every node succeeds; otherwise the failing node keeps its error and the
 * others answer PROCESSING_HALTED. References (`@{ref.id}`) reach nodes of the
 * same graph only. After 14 failed graphs the remaining ones are not run.
 * Limits: Salesforce's "Composite Graph Limits" page (REST API Developer Guide).
 */
import { HttpError } from '../http.js';
import { HALTED_BEFORE, haltOthers, halted, runOne, type Dispatch, type SubRequest, type SubResponse } from './composite-route.js';
import { notFound, requireBodyObject } from './rest-errors.js';
import type { RestReply, RestRequest } from './rest-types.js';

/** Graphs per payload. */
export const GRAPH_LIMIT = 75;
/** Nodes per payload (and per graph). */
export const GRAPH_NODE_LIMIT = 500;
/** Longest chain of references within a graph. */
export const GRAPH_DEPTH_LIMIT = 15;
/** Different nodes (API version, method, object) per payload. */
export const GRAPH_DISTINCT_NODE_LIMIT = 15;
/** Failed graphs after which the rest of the payload is halted. */
export const GRAPH_FAILURE_LIMIT = 14;

/** What a graph node may call: the record resources only. */
const NODE_URLS: Array<[RegExp, Set<string>]> = [
  [/^\/sobjects\/[^/]+\/?$/, new Set(['POST'])],
  [/^\/sobjects\/[^/]+\/[^/]+\/?$/, new Set(['GET', 'PATCH', 'DELETE'])],
  [/^\/sobjects\/[^/]+\/[^/]+\/[^/]+\/?$/, new Set(['GET', 'PATCH', 'POST', 'DELETE'])],
];

const HALTED_PAYLOAD = 'Processing was halted because too many graphs of this request failed.';

interface Graph {
  graphId: string;
  nodes: SubRequest[];
}

interface GraphResult {
  graphId: string;
  graphResponse: { compositeResponse: SubResponse[] };
  isSuccessful: boolean;
}

/** POST /composite/graph */
export function compositeGraph(req: RestRequest, dispatch: Dispatch): RestReply {
  if (Number(req.apiVersion) < 50) throw notFound();
  if (req.method !== 'POST') throw HttpError.of(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are POST`);
  const graphs = parseGraphs(requireBodyObject(req.body));
  const out: GraphResult[] = [];
  let failures = 0;
  for (const graph of graphs) {
    if (failures >= GRAPH_FAILURE_LIMIT) {
      out.push({
        graphId: graph.graphId,
        graphResponse: { compositeResponse: graph.nodes.map((n) => halted(referenceOf(n), HALTED_PAYLOAD)) },
        isSuccessful: false,
      });
      continue;
    }
    const result = runGraph(req, graph, dispatch);
    if (!result.isSuccessful) failures++;
    out.push(result);
  }
  return { status: 200, body: { graphs: out } };
}

function runGraph(req: RestRequest, graph: Graph, dispatch: Dispatch): GraphResult {
  const responses: SubResponse[] = [];
  const invalid = checkNodes(req, graph.nodes);
  if (invalid !== undefined) {
    const compositeResponse = graph.nodes.map((n, i) => (i === invalid.index ? invalid.response : halted(referenceOf(n), HALTED_BEFORE)));
    return { graphId: graph.graphId, graphResponse: { compositeResponse }, isSuccessful: false };
  }
  const results = new Map<string, unknown>();
  const ok = req.org.atomically(() => {
    for (const node of graph.nodes) {
      const response = runOne(req, node, results, dispatch);
      responses.push(response);
      if (response.httpStatusCode >= 400) return false;
    }
    return true;
  });
  if (!ok) haltOthers(responses, graph.nodes);
  return { graphId: graph.graphId, graphResponse: { compositeResponse: responses }, isSuccessful: ok };
}

/** The payload's graphs, checked against the per-payload limits (a breach fails the whole call with 400). */
function parseGraphs(body: Record<string, unknown>): Graph[] {
  const raw = body.graphs;
  if (!Array.isArray(raw) || raw.length === 0) throw HttpError.of(400, 'JSON_PARSER_ERROR', 'graphs must be a non-empty array of {graphId, compositeRequest}.');
  if (raw.length > GRAPH_LIMIT) throw limit(`A composite graph request cannot contain more than ${GRAPH_LIMIT} graphs; it has ${raw.length}.`);
  const seen = new Set<string>();
  const graphs: Graph[] = [];
  let nodes = 0;
  const kinds = new Set<string>();
  for (const entry of raw as unknown[]) {
    const g = (entry ?? {}) as Record<string, unknown>;
    const graphId = g.graphId;
    if (typeof graphId !== 'string' || !/^[A-Za-z0-9][^.]{0,38}$/.test(graphId)) {
      throw HttpError.of(
        400,
        'INVALID_INPUT',
        `graphId ${JSON.stringify(graphId)} is not valid: it must begin with a letter or digit, be shorter than 40 characters and contain no period.`,
      );
    }
    if (seen.has(graphId)) throw HttpError.of(400, 'INVALID_INPUT', `graphId ${graphId} is used by more than one graph; graphIds must be unique.`);
    seen.add(graphId);
    const list = g.compositeRequest;
    if (!Array.isArray(list) || list.length === 0)
      throw HttpError.of(400, 'JSON_PARSER_ERROR', `compositeRequest of graph ${graphId} must be a non-empty array.`);
    nodes += list.length;
    for (const node of list as SubRequest[]) kinds.add(nodeKind(node));
    graphs.push({ graphId, nodes: list as SubRequest[] });
  }
  if (nodes > GRAPH_NODE_LIMIT) throw limit(`A composite graph request cannot contain more than ${GRAPH_NODE_LIMIT} nodes; it has ${nodes}.`);
  if (kinds.size > GRAPH_DISTINCT_NODE_LIMIT) {
    throw limit(
      `A composite graph request cannot use more than ${GRAPH_DISTINCT_NODE_LIMIT} different nodes (API version, method and object); it uses ${kinds.size}.`,
    );
  }
  return graphs;
}

/** A node's URL, method and reference depth, checked before anything of its graph runs. */
function checkNodes(req: RestRequest, nodes: SubRequest[]): { index: number; response: SubResponse } | undefined {
  const depth = new Map<string, number>();
  for (const [index, node] of nodes.entries()) {
    const referenceId = referenceOf(node);
    const fail = (errorCode: string, message: string) => ({
      index,
      response: { body: [{ errorCode, message }], httpHeaders: {}, httpStatusCode: 400, referenceId },
    });
    if (referenceId === '' || depth.has(referenceId))
      return fail('INVALID_INPUT', `Each node needs a referenceId unique within its graph; "${referenceId}" is not.`);
    const method = String(node.method ?? '').toUpperCase();
    const m = /^\/services\/data\/v(\d+\.\d)(\/[^?]*)/.exec(String(node.url ?? ''));
    const allowed = m === null ? undefined : NODE_URLS.find(([pattern]) => pattern.test(m[2] ?? ''));
    if (m === null || allowed === undefined || !allowed[1].has(method)) {
      return fail(
        'INVALID_URL',
        `${method} ${String(node.url ?? '')} is not a composite graph node: a node creates, reads, updates, upserts or deletes one sObject record.`,
      );
    }
    if (Number(m[1]) > Number(req.apiVersion) || Number(m[1]) < 50) {
      return fail(
        'INVALID_URL',
        `The node URL ${String(node.url)} uses API v${m[1] ?? ''}; composite graph nodes need v50.0 up to the request's v${req.apiVersion}.`,
      );
    }
    const refs = [...JSON.stringify([node.url, node.body ?? null]).matchAll(/@\{([^.}[\]]+)/g)].map((r) => r[1] ?? '');
    const d = 1 + Math.max(0, ...refs.map((r) => depth.get(r) ?? 0));
    if (d > GRAPH_DEPTH_LIMIT) return fail('INVALID_INPUT', `The graph is deeper than ${GRAPH_DEPTH_LIMIT} nodes of references at node ${referenceId}.`);
    depth.set(referenceId, d);
  }
  return undefined;
}

/** What makes two nodes "different" for the per-payload limit: API version, method and object. */
function nodeKind(node: SubRequest): string {
  const m = /^\/services\/data\/v(\d+\.\d)\/sobjects\/([^/?]+)/.exec(String(node.url ?? ''));
  return `${m?.[1] ?? ''} ${String(node.method ?? '').toUpperCase()} ${(m?.[2] ?? '').toLowerCase()}`;
}

function referenceOf(node: SubRequest): string {
  return typeof node.referenceId === 'string' ? node.referenceId : '';
}

function limit(message: string): HttpError {
  return HttpError.of(400, 'LIMIT_EXCEEDED', message);
}
