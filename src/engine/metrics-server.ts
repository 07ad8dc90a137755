/**
 * The engine component serving `/metrics` (Prometheus text format),
 * `/healthz` (200 when the database answers, 503 otherwise) and the status
 * page (`/`, status-page.ts; its actions `POST /actions/…` only with
 * `metrics.actionToken`, status-actions.ts) on
 * `config.metrics.host` (default 127.0.0.1: the numbers name your objects, so
 * they are not published beyond the machine unless asked) and
 * `config.metrics.port` (default 9464; 0 turns the endpoint off).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { isLoopbackHost } from '../config/login-url.js';
import { SfsyncError } from '../errors.js';
import type { EngineComponent, EngineContext } from '../jobs/context.js';
import { listFailed } from './failed-changes.js';
import { createMetrics, type SfsyncMetrics } from './metrics.js';
import { readRecentWindows, readStatus } from './read-status.js';
import { ActionError, runAction } from './status-actions.js';
import { renderStatusPage } from './status-page.js';

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** Token the status page's actions must be posted with; none: the page is read-only. */
  actionToken?: string;
}

/** A running metrics endpoint. */
export interface RunningMetricsServer {
  /** `http://host:port` (port resolved when 0 was asked through `listen`). */
  readonly url: string;
  stop(): Promise<void>;
}

/** Serve /metrics and /healthz for `pool` on host:port (port 0 here means a free port). */
export async function startMetricsServer(pool: pg.Pool, host: string, port: number, options: MetricsServerOptions = {}): Promise<RunningMetricsServer> {
  const metrics = createMetrics();
  const server = createServer((req, res) => void handle(req, res, pool, metrics, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        // A port in use or reserved is the port's fault; an address this machine lacks (or a name that does not resolve) is the host's.
        cause.code === 'EADDRINUSE' || cause.code === 'EACCES'
          ? new SfsyncError(
              'METRICS_PORT_BUSY',
              `Cannot serve metrics on ${host}:${port} (${cause.code}); set metrics.port in the config (0 turns the endpoint off).`,
              { cause },
            )
          : new SfsyncError(
              'METRICS_HOST_INVALID',
              `Cannot serve metrics on host ${host} (${cause.code ?? cause.message}); set metrics.host (SFSYNC_METRICS_HOST) to an address of this machine, e.g. 127.0.0.1.`,
              { cause },
            ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, pool: pg.Pool, metrics: SfsyncMetrics, options: MetricsServerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/' || path.startsWith('/actions/')) return handlePage(req, res, path, pool, options);
  try {
    if (req.method === 'GET' && path === '/metrics') {
      await metrics.refresh(pool);
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
    } else if (req.method === 'GET' && path === '/healthz') {
      await pool.query('select 1');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: try /, /metrics or /healthz\n');
    }
  } catch (error) {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'unavailable', error: (error as Error).message.split('\n')[0] }));
  }
}

/** Headers of every page response: nothing framed, sniffed or leaked in a Referer, and only the page's own inline script runs. */
function pageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // same-origin, not no-referrer: with no-referrer the browser sends `Origin: null` on the page's own form posts.
    'referrer-policy': 'same-origin',
  };
}

/** Failed changes and poll windows the page lists at most. */
const PAGE_ROWS = 50;

async function handlePage(req: IncomingMessage, res: ServerResponse, path: string, pool: pg.Pool, options: MetricsServerOptions): Promise<void> {
  const nonce = randomBytes(16).toString('base64');
  try {
    if (req.method === 'POST' && path.startsWith('/actions/')) {
      const notice = await runAction(req, path.slice('/actions/'.length), pool, options.actionToken);
      res.writeHead(303, { location: `/?notice=${encodeURIComponent(notice)}`, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    if (req.method !== 'GET' || path !== '/') throw new ActionError(405, 'Use GET / for the page and POST /actions/… for actions.');
    const [report, failed, windows] = await Promise.all([readStatus(pool), listFailed(pool, undefined, PAGE_ROWS), readRecentWindows(pool, PAGE_ROWS)]);
    const notice = new URL(req.url ?? '/', 'http://localhost').searchParams.get('notice') ?? undefined;
    res.writeHead(200, pageHeaders(nonce));
    res.end(renderStatusPage({ report, failed, windows, at: new Date() }, { actions: Boolean(options.actionToken), nonce, notice }));
  } catch (error) {
    const status = error instanceof ActionError ? error.status : 503;
    const message = error instanceof ActionError ? error.message : `The database did not answer (${(error as Error).message.split('\n')[0]}).`;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(`${message}\n`);
  }
}

/** The engine component: serves on the configured address while the engine runs. */
export const metricsServer: EngineComponent = {
  name: 'metrics-server',
  async start(context: EngineContext) {
    const { host, port, actionToken } = context.config.metrics;
    if (port === 0) return { stop: async () => undefined };
    const running = await startMetricsServer(context.pool, host, port, { actionToken });
    context.logger.info({ url: running.url, actions: Boolean(actionToken) }, 'status page on /, metrics on /metrics, health on /healthz');
    // Allowed (a scraper on another host), but said once: the endpoint has no authentication.
    if (!isLoopbackHost(host))
      context.logger.warn(
        { host },
        `metrics.host ${host} publishes /metrics (object and mapping names, counts), /healthz and the status page (record ids, Salesforce errors) beyond this machine without authentication; keep 127.0.0.1 unless a firewall guards the port`,
      );
    return running;
  },
};
