/**
 * The engine component serving `/metrics` (Prometheus text format) and
 * `/healthz` (200 when the database answers, 503 otherwise) on
 * `config.metrics.host` (default 127.0.0.1: the numbers name your objects, so
 * they are not published beyond the machine unless asked) and
 * `config.metrics.port` (default 9464; 0 turns the endpoint off).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { isLoopbackHost } from '../config/login-url.js';
import { SfsyncError } from '../errors.js';
import type { EngineComponent, EngineContext } from '../jobs/context.js';
import { createMetrics, type SfsyncMetrics } from './metrics.js';

/** A running metrics endpoint. */
export interface RunningMetricsServer {
  /** `http://host:port` (port resolved when 0 was asked through `listen`). */
  readonly url: string;
  stop(): Promise<void>;
}

/** Serve /metrics and /healthz for `pool` on host:port (port 0 here means a free port). */
export async function startMetricsServer(pool: pg.Pool, host: string, port: number): Promise<RunningMetricsServer> {
  const metrics = createMetrics();
  const server = createServer((req, res) => void handle(req, res, pool, metrics));
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

async function handle(req: IncomingMessage, res: ServerResponse, pool: pg.Pool, metrics: SfsyncMetrics): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
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
      res.end('not found: try /metrics or /healthz\n');
    }
  } catch (error) {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'unavailable', error: (error as Error).message.split('\n')[0] }));
  }
}

/** The engine component: serves on the configured address while the engine runs. */
export const metricsServer: EngineComponent = {
  name: 'metrics-server',
  async start(context: EngineContext) {
    const { host, port } = context.config.metrics;
    if (port === 0) return { stop: async () => undefined };
    const running = await startMetricsServer(context.pool, host, port);
    context.logger.info({ url: running.url }, 'metrics on /metrics, health on /healthz');
    // Allowed (a scraper on another host), but said once: the endpoint has no authentication.
    if (!isLoopbackHost(host))
      context.logger.warn(
        { host },
        `metrics.host ${host} publishes /metrics (object and mapping names, counts) and /healthz beyond this machine without authentication; keep 127.0.0.1 unless a firewall guards the port`,
      );
    return running;
  },
};
