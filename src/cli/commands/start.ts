import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { SfsyncConfig } from '../../config/config-schema.js';
import { assertTrustedLoginUrl } from '../../config/login-url.js';
import { createPool, isConnectionLoss } from '../../db/pool.js';
import { SfsyncError } from '../../errors.js';
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
        const metricsPort = options.metricsPort === undefined ? undefined : parsePort(options.metricsPort);
        const config = await configFor(command, metricsPort === undefined ? {} : { metrics: { port: metricsPort } });
        const { migrate } = await import('../../db/migrate.js');
        const { startEngine } = await import('../../engine/start-engine.js');
        const { createLogger } = await import('../../engine/logger.js');
        const logger = createLogger({ level: config.logLevel });
        const { openCliPostgres } = await import('../cli-postgres.js');
        const server = await openCliPostgres(config);
        try {
          // Listen before starting: a signal during start-up stops right after it.
          const stopRequested = waitForSignal();
          const engine = await startWhenPostgresAnswers(logger, async () => {
            if (options.migrate !== false) await migrate(server.url);
            await checkStoredLoginUrls(server.url, config);
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

/** `--metrics-port`: digits, 0-65535 (Number() read "" as 0, the endpoint silently off). */
function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    throw new SfsyncError('USAGE', `--metrics-port must be a TCP port number (0-65535; 0 turns the endpoint off), not "${value}".`);
  return port;
}

/**
 * Fail at start, not in every job afterwards, when a connection in use logs
 * in at a URL the configured secrets are not for (config/login-url.ts), or
 * its sealed secrets do not open (no key, another key, altered): one line
 * naming the connection and the fix. The engine checks again at each login,
 * since the row can change while it runs.
 */
async function checkStoredLoginUrls(databaseUrl: string, config: SfsyncConfig): Promise<void> {
  const { run, sfsync } = await import('../../db/typed-query.js');
  const { allSecretsSealed } = await import('../../salesforce/open-client.js');
  const { openStoredSecrets, parseStoredSecrets } = await import('../../config/stored-secrets.js');
  const { loadSecretKey } = await import('../../config/secret-key.js');
  const key = loadSecretKey(config.secretKeyFile);
  const pool = createPool(databaseUrl, { max: 1, applicationName: 'sfsync start' });
  try {
    const { rows: schema } = await pool.query<{ ok: boolean }>("select to_regclass('sfsync.mappings') is not null as ok");
    if (!schema[0]?.ok) return; // --no-migrate on an empty database: the engine says so
    const rows = await run(
      pool,
      sfsync
        .selectFrom('connections as c')
        .select(['c.name', 'c.login_url', 'c.auth_kind', 'c.secrets'])
        .where((eb) => eb.exists(eb.selectFrom('mappings as m').select(eb.lit(1).as('one')).whereRef('m.connection_id', '=', 'c.id')))
        .orderBy('c.id'),
    );
    for (const row of rows) {
      const connection = { name: row.name, loginUrl: row.login_url, secrets: parseStoredSecrets(row.name, row.secrets) };
      if (!allSecretsSealed(config, { ...connection, apiVersion: '', authKind: row.auth_kind, username: null, clientId: null }))
        assertTrustedLoginUrl(config.salesforce, connection);
      openStoredSecrets(connection, key);
    }
  } finally {
    await pool.end().catch(() => undefined);
  }
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
