/**
 * Composite Graph writes (`POST /composite/graph`, API 50.0 and later): each
 * graph is a list of record inserts run all or nothing; a node names an
 * earlier node's new Id as `@{<referenceId>.id}`. Salesforce's limits: 75
 * graphs and 500 nodes per request, 500 nodes per graph, 15 different nodes
 * (API version, method, object) per request, and after 14 failed graphs the
 * rest of the request is not run (PROCESSING_HALTED). Sent through
 * `conn.request` so session refresh and call counting apply; POST is never
 * retried by jsforce.
 */
import type { Connection } from 'jsforce';
import type { Graph, GraphResult, RecordResult } from './salesforce-client.js';

/** Graphs per request. */
export const GRAPHS_PER_REQUEST = 75;
/** Nodes per request (and so per graph). */
export const NODES_PER_REQUEST = 500;
/** Different nodes (here: objects inserted) per request. */
export const NODE_KINDS_PER_REQUEST = 15;

interface RawNode {
  body: unknown;
  httpStatusCode: number;
  referenceId: string;
}

interface RawGraph {
  graphId: string;
  isSuccessful: boolean;
  graphResponse: { compositeResponse: RawNode[] };
}

/** Send one request of graphs (within the limits above); results in graph order. */
export async function sendGraphs(conn: Connection, graphs: Graph[]): Promise<GraphResult[]> {
  if (graphs.length === 0) return [];
  const base = `/services/data/v${conn.version}`;
  const body = JSON.stringify({
    graphs: graphs.map((g) => ({
      graphId: g.graphId,
      compositeRequest: g.nodes.map((n) => ({
        method: 'POST',
        url: `${base}/sobjects/${encodeURIComponent(n.sobject)}`,
        referenceId: n.referenceId,
        body: n.body,
      })),
    })),
  });
  const raw = await conn.request<{ graphs: RawGraph[] }>({
    method: 'POST',
    url: `${base}/composite/graph`,
    body,
    headers: { 'Content-Type': 'application/json' },
  });
  const byId = new Map(raw.graphs.map((g) => [g.graphId, g]));
  return graphs.map((g) => {
    const answer = byId.get(g.graphId);
    const nodes = new Map((answer?.graphResponse.compositeResponse ?? []).map((n) => [n.referenceId, n]));
    return { graphId: g.graphId, isSuccessful: answer?.isSuccessful === true, results: g.nodes.map((n) => nodeResult(nodes.get(n.referenceId))) };
  });
}

function nodeResult(node: RawNode | undefined): RecordResult {
  if (!node) return { success: false, errors: [{ statusCode: 'UNPROCESSED', message: 'Salesforce returned no result for this node.', fields: [] }] };
  const body = node.body as { id?: string; success?: boolean } | Array<{ errorCode?: string; message?: string; fields?: string[] }> | null;
  if (node.httpStatusCode < 300 && body && !Array.isArray(body) && body.id) return { success: true, id: body.id };
  const errors = Array.isArray(body) ? body : [];
  return {
    success: false,
    errors: (errors.length > 0 ? errors : [{}]).map((e) => ({
      statusCode: e.errorCode ?? 'UNKNOWN_EXCEPTION',
      message: e.message ?? `HTTP ${node.httpStatusCode}`,
      fields: e.fields ?? [],
    })),
  };
}
