import type { Command } from 'commander';
import type { Logger } from 'pino';
import { isConnectionLoss } from '../../db/pool.js';
import { configFor } from '../global-options.js';
import { action } from '../run-command.js';
import { waitForSignal } from '../wait-for-signal.js';

interface StartOptions {
  metricsPort?: string;
  migrate?: boolean;
}

/**
 * `sfsync start`: migrate (idempotent, advisory-locked), then run the worker,
 * the runtime components (LISTEN, stream subscriber, metrics) until SIGINT or
 * SIGTERM, then stop them in reverse order. Logs are pino JSON on stderr.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the sync engine (worker, stream subscriber, /metrics) until SIGINT/SIGTERM')
    .option('--metrics-port <port>', 'port of /metrics and /healthz (0 = off; default 9464)')
    .option('--no-migrate', 'do not apply pending migrations first')
    .action(
      action(async (options: StartOptions, command: Command) => {
        const metricsPort = options.metricsPort === undefined ? undefined : Number(options.metricsPort);
        const config = await configFor(command, metricsPort === undefined ? {} : { metrics: { port: metricsPort } });
        const { migrate } = await import('../../db/migrate.js');
        const { startEngine } = await import('../../runtime/start-engine.js');
        const { createLogger } = await import('../../runtime/logger.js');
        const logger = createLogger({ level: config.logLevel });
        const { openCliPostgres } = await import('../cli-postgres.js');
        const server = await openCliPostgres(config);
        try {
          // Listen before starting: a signal during start-up stops right after it.
          const stopRequested = waitForSignal();
          const engine = await startWhenPostgresAnswers(logger, async () => {
            if (options.migrate !== false) await migrate(server.url);
            return startEngine({ config, databaseUrl: server.url, logger });
          });
          logger.info({ database: server.kind }, 'sfsync started; stop with Ctrl-C (SIGINT) or SIGTERM');
          const signal = await stopRequested;
          logger.info({ signal }, 'stopping');
          await engine.stop();
          logger.info('stopped');
        } finally {
          await server.stop();
        }
      }),
    );
}

/** How long `sfsync start` keeps trying while Postgres is not there (starting, restarting, failing over). */
const START_RETRY_MS = 120_000;

/**
 * Run `start` again while it fails because Postgres went away or is not up
 * yet (a restart during start-up, a compose file starting both at once),
 * 1 s apart, for up to START_RETRY_MS; any other error ends it at once.
 * Before, a Postgres restart during start-up made `sfsync start` exit 2.
 */
async function startWhenPostgresAnswers<T>(logger: Logger, start: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + START_RETRY_MS;
  for (;;) {
    try {
      return await start();
    } catch (error) {
      if (!isConnectionLoss(error) || Date.now() > deadline) throw error;
      logger.warn({ err: error }, 'Postgres is not answering; starting again in 1 s');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
