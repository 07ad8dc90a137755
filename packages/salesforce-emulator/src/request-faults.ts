/**
 * Per-request control effects: added latency, injected faults and lost
 * responses (docs/wire-notes.md, Retries and injected faults: jsforce retries
 * 5xx only for idempotent methods, so injected faults on POST/PATCH reach the
 * caller).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.js';
import type { ControlSettings, FaultRule } from './org/controls.js';

/** Wait the configured latency (fixed or uniformly random in [min, max]). */
export async function applyLatency(controls: ControlSettings): Promise<void> {
  const { minMs, maxMs } = controls.latency;
  if (maxMs <= 0) return;
  const ms = minMs + Math.random() * (maxMs - minMs);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
  if (rule.pathPrefix !== undefined && !path.startsWith(rule.pathPrefix)) return false;
  if (rule.count !== undefined && rule.count <= 0) return false;
  return Math.random() < (rule.rate ?? 1);
}

/** The injected failure for this request, if a fault rule fires. */
export function injectedFault(controls: ControlSettings, method: string, path: string): HttpError | undefined {
  const rule = controls.faults.find((r) => matches(r, method, path));
  if (rule === undefined) return undefined;
  if (rule.count !== undefined) rule.count--;
  switch (rule.kind) {
    case '5xx':
      return HttpError.of(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable (injected by the sfsync emulator).');
    case 'UNABLE_TO_LOCK_ROW':
      return HttpError.of(400, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record or 1 records');
    case 'REQUEST_LIMIT_EXCEEDED':
      return HttpError.of(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  }
}

/**
 * Whether this write call's reply should be lost (consumes `next` first, then
 * rolls `rate`). Calls outside the optional `pathPrefix` / `method` filter
 * neither lose their reply nor consume `next`, so a test can aim at the push's
 * Collections call while the read path's Bulk query POSTs go through.
 */
export function shouldLoseResponse(controls: ControlSettings, method: string, path = ''): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  const lost = controls.lostResponses;
  if (lost.method !== undefined && lost.method.toUpperCase() !== method) return false;
  if (lost.pathPrefix !== undefined && !path.startsWith(lost.pathPrefix)) return false;
  if (lost.next > 0) {
    lost.next--;
    return true;
  }
  return lost.rate > 0 && Math.random() < lost.rate;
}

/** Make the reply vanish: the handler runs (and commits) but the socket is destroyed instead of answering. */
export function loseResponse(req: IncomingMessage, res: ServerResponse): void {
  const destroy = (): ServerResponse => {
    req.socket.destroy();
    return res;
  };
  res.writeHead = destroy as unknown as ServerResponse['writeHead'];
  res.write = (() => true) as unknown as ServerResponse['write'];
  res.end = destroy as unknown as ServerResponse['end'];
}
