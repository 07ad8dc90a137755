/**
 * Send families (claim-families.ts) as composite graphs: one graph per
 * family (the parent node, then its children naming `@{p.id}`), packed into
 * requests within Salesforce's limits (composite-graph.ts: 75 graphs, 500
 * nodes, 15 different objects per request), up to `concurrency` requests in
 * flight per connection. Every node gets an outcome; nothing here touches
 * Postgres.
 *
 * A graph is all or nothing. When one fails, the failing node keeps
 * Salesforce's error (failed for good, or retried, as a failed insert is
 * today) and every other node of the family gets Salesforce's rollback error
 * (PROCESSING_HALTED), retried with back-off: the next round sends the
 * family again without the child that failed for good. Neighbouring graphs
 * are not touched. A request whose reply is lost leaves every node of it of
 * unknown outcome: the parents and children are looked up before they are
 * sent again (find-created-records.ts), so nothing is created twice.
 */
import type { Graph, SalesforceClient } from '../salesforce/salesforce-client.js';
import { GRAPHS_PER_REQUEST, NODE_KINDS_PER_REQUEST, NODES_PER_REQUEST } from '../salesforce/composite-graph.js';
import { PARENT_REFERENCE, type Family, type FamilyChild } from './claim-families.js';
import { connectionLimiter } from './limiter.js';
import { callOutcome, chunk, recordOutcome, type PushOutcome } from './send.js';

/** What the graphs did: the parents' outcomes by record id, and each child's. */
export interface FamilyOutcomes {
  parents: Map<string, PushOutcome>;
  children: Map<FamilyChild, PushOutcome>;
  /** Requests sent. */
  calls: number;
}

/** Send every family; `sobject` is the parents' object. */
export async function sendFamilies(
  sf: SalesforceClient,
  sobject: string,
  families: Family[],
  options: { concurrency: number; connectionId: string },
): Promise<FamilyOutcomes> {
  const out: FamilyOutcomes = { parents: new Map(), children: new Map(), calls: 0 };
  const requests = pack(families, sobject);
  const limiter = connectionLimiter(options.connectionId, options.concurrency);
  for (const wave of chunk(requests, options.concurrency)) {
    await Promise.all(
      wave.map((request) =>
        limiter(async () => {
          out.calls++;
          const graphs = request.map((f) => toGraph(f, sobject));
          const results = await sf.compositeGraph(graphs).catch((error: unknown) => error as Error);
          request.forEach((family, i) => {
            const ops = [family.parent, ...family.children.map((c) => c.op)];
            const outcomes = ops.map((op, n) => {
              if (results instanceof Error) return callOutcome(results, op);
              const result = results[i]!.results[n];
              if (result && !result.success && result.errors[0]?.statusCode === 'PROCESSING_HALTED') {
                const first = result.errors[0];
                return { kind: 'retry', error: { code: first.statusCode, message: first.message } } satisfies PushOutcome;
              }
              return recordOutcome(result, op);
            });
            out.parents.set(family.parent.recordId, outcomes[0]!);
            family.children.forEach((child, n) => out.children.set(child, outcomes[n + 1]!));
          });
        }),
      ),
    );
  }
  return out;
}

/** One graph per family: the parent first, its children after (graph ids: `g<parent record id>`). */
function toGraph(family: Family, sobject: string): Graph {
  return {
    graphId: `g${family.parent.recordId}`,
    nodes: [
      { referenceId: PARENT_REFERENCE, sobject, body: family.parent.body },
      ...family.children.map((c, i) => ({ referenceId: `c${i + 1}`, sobject: c.mapping.sobject, body: c.op.body })),
    ],
  };
}

/** Families packed into requests, in order, each within the per-request limits (a family has at most NODES_PER_REQUEST nodes). */
function pack(families: Family[], sobject: string): Family[][] {
  const requests: Family[][] = [];
  let current: Family[] = [];
  let nodes = 0;
  let kinds = new Set<string>();
  for (const family of families) {
    const size = 1 + family.children.length;
    const objects = [sobject, ...family.children.map((c) => c.mapping.sobject)].map((o) => o.toLowerCase());
    const joined = new Set([...kinds, ...objects]);
    if (current.length > 0 && (current.length >= GRAPHS_PER_REQUEST || nodes + size > NODES_PER_REQUEST || joined.size > NODE_KINDS_PER_REQUEST)) {
      requests.push(current);
      current = [];
      nodes = 0;
      kinds = new Set(objects);
    } else kinds = joined;
    current.push(family);
    nodes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
