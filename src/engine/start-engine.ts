/**
 * `sfsync start`: the graphile-worker runner with sfsync's tasks, plus the
 * long-running components (engine/components.ts). Any number of processes
 * may run against one database: graphile-worker shares the jobs, advisory
 * locks elect the one streaming subscriber per connection.
 */
import { hostname } from 'node:os';
import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, makeWorkerUtils, run, type Runner, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import pino, { type Logger } from 'pino';
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import { createPool } from '../db/pool.js';
import { WORKER_SCHEMA } from '../db/migrate.js';
import { retryWorkerQueriesOnConnectionLoss } from './worker-retries.js';
import { connectionLogins } from './connection-logins.js';
import { ApiGovernor } from '../jobs/api-governor.js';
import { createTaskList } from '../tasks/task-list.js';
import { components as defaultComponents } from './components.js';
import { DEAD_ENGINE_SWEEP_MS, holdRegistration, releaseDeadEngines } from './dead-engines.js';
import type { AddJob, EngineComponent, EngineContext } from '../jobs/context.js';

/** Options of {@link startEngine}. */
export interface StartEngineOptions {
  config: SfsyncConfig;
  /** The migrated database. */
  databaseUrl: string;
  logger?: Logger;
  /** Components to run; default every one in engine/components.ts. */
  components?: EngineComponent[];
  /** Run the graphile-worker runner in this process (default true). */
  worker?: boolean;
}

/** A running engine. */
export interface RunningEngine {
  readonly context: EngineContext;
  stop(): Promise<void>;
}

/** Start the worker and components; `stop()` ends them in reverse order and closes the pools. */
export async function startEngine(options: StartEngineOptions): Promise<RunningEngine> {
  retryWorkerQueriesOnConnectionLoss();
  const logger = options.logger ?? pino({ level: options.config.logLevel, base: { app: 'sfsync' } });
  const onLost = (message: string, err: Error) => logger.warn({ err }, message);
  // The process id in application_name tells operators (and tests) which process holds which stream lock.
  const pool = createPool(options.databaseUrl, { max: 20, onLost, applicationName: `sfsync engine ${process.pid}` });
  // connectRetryMs: graphile-worker records a job's outcome once; a connect refused while
  // Postgres restarted made it shut its worker down and `sfsync start` exit.
  const workerPool = createPool(options.databaseUrl, {
    max: options.config.worker.concurrency + 4,
    applicationName: 'sfsync worker',
    onLost,
    connectRetryMs: 120_000,
  });
  const abort = new AbortController();
  const stops: Array<() => Promise<void>> = [];
  let utils: WorkerUtils | undefined;
  try {
    const workerLogger = toWorkerLogger(logger);
    utils = await makeWorkerUtils({ pgPool: workerPool, schema: WORKER_SCHEMA, logger: workerLogger });
    const context = createContext(options.config, pool, utils, logger, abort.signal);
    if (options.worker !== false) {
      // Frees what dead engines left locked before this one asks for work.
      await releaseDeadEngines(pool, utils, logger);
      const events: WorkerEvents = new EventEmitter();
      let workerPoolId: string | undefined;
      events.on('pool:create', ({ workerPool: created }) => (workerPoolId ??= created.id));
      const runner: Runner = await run({
        events,
        pgPool: workerPool,
        schema: WORKER_SCHEMA,
        taskList: createTaskList(context),
        concurrency: options.config.worker.concurrency,
        noHandleSignals: true,
        pollInterval: 2000,
        logger: workerLogger,
      });
      stops.push(() => runner.stop());
      stops.push(await watchEngines(pool, utils, logger, workerPoolId!, context.processName));
    }
    for (const component of options.components ?? defaultComponents) {
      const started = await component.start(context);
      stops.push(() => started.stop());
      logger.debug({ component: component.name }, 'component started');
    }
    const finalUtils = utils;
    return {
      context,
      async stop() {
        abort.abort();
        await stopAll(stops, logger);
        await finalUtils.release();
        await Promise.all([pool.end(), workerPool.end()]);
      },
    };
  } catch (error) {
    abort.abort();
    await stopAll(stops, logger);
    await utils?.release();
    await Promise.all([pool.end(), workerPool.end()]);
    throw error;
  }
}

/**
 * Register this engine (its liveness is a session held open until stop, and
 * replaced when Postgres ends it) and sweep for dead engines every
 * DEAD_ENGINE_SWEEP_MS: its own registration first, so a sweep never takes
 * the sweeping engine for dead. Returns the stop step.
 */
async function watchEngines(pool: pg.Pool, utils: WorkerUtils, logger: Logger, workerPoolId: string, processName: string): Promise<() => Promise<void>> {
  const registration = await holdRegistration(pool, workerPoolId, processName, logger);
  const timer = setInterval(() => {
    registration
      .ensure()
      .then(() => releaseDeadEngines(pool, utils, logger))
      .catch((error: unknown) => logger.warn({ err: error }, 'dead-engine sweep failed'));
  }, DEAD_ENGINE_SWEEP_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await registration.release();
  };
}

/** graphile-worker logs through sfsync's pino logger (structured, redacted), not the console. */
function toWorkerLogger(logger: Logger): WorkerLogger {
  const child = logger.child({ component: 'graphile-worker' });
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...meta };
    if (level === 'error') child.error(fields, message);
    else if (level === 'warning') child.warn(fields, message);
    else if (level === 'info') child.info(fields, message);
    else child.debug(fields, message);
  });
}

async function stopAll(stops: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const stop of stops.reverse()) {
    await stop().catch((error: unknown) => logger.error({ err: error }, 'stopping a component failed'));
  }
}

function createContext(config: SfsyncConfig, pool: pg.Pool, utils: WorkerUtils, logger: Logger, signal: AbortSignal): EngineContext {
  const apiGovernor = new ApiGovernor();
  const addJob: AddJob = async (name, payload, options = {}) => {
    await utils.addJob(name as string, payload as unknown, options);
  };
  return {
    config,
    pool,
    addJob,
    logger,
    signal,
    processName: `${hostname()}:${process.pid}`,
    apiGovernor,
    salesforce: connectionLogins(pool, config, logger, apiGovernor),
  };
}
