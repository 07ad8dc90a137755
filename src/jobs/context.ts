/**
 * What every task and runtime component is given: configuration, the pool,
 * a typed `addJob`, Salesforce clients per connection, and a logger.
 * Built once per `sfsync start` (start-engine.ts) or by a host application
 * that runs sfsync's tasks in its own worker (`createTaskList`).
 */
import type pg from 'pg';
import type { JobHelpers } from 'graphile-worker';
import type { Logger } from 'pino';
import type { SfsyncConfig } from '../config/config-schema.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import type { ApiGovernor, GovernorState } from './api-governor.js';
import type { TaskName, TaskPayloads } from './payloads.js';

/** Options of a typed addJob (graphile-worker's, the useful subset). */
export interface AddJobOptions {
  jobKey?: string;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  runAt?: Date;
  maxAttempts?: number;
  queueName?: string;
  priority?: number;
}

/** A typed `graphile_worker.add_job`. */
export type AddJob = <N extends TaskName>(name: N, payload: TaskPayloads[N], options?: AddJobOptions) => Promise<void>;

/** Shared by tasks and runtime components. */
export interface EngineContext {
  readonly config: SfsyncConfig;
  /** sfsync's pool (graphile-worker has its own). */
  readonly pool: pg.Pool;
  readonly addJob: AddJob;
  /** The API governor of this process (jobs/api-governor.ts): what each connection may still spend. */
  readonly apiGovernor: ApiGovernor;
  /** The Salesforce client of a `sfsync.connections` row (cached; created on first use). */
  salesforce(connectionId: string): Promise<SalesforceClient>;
  readonly logger: Logger;
  /** Aborted when the engine stops: long loops check it. */
  readonly signal: AbortSignal;
  /** A name for this process (outbox `claimed_by`, logs): `<hostname>:<pid>`. */
  readonly processName: string;
}

/** A long-running part of the engine (LISTEN loop, stream subscriber, metrics server …). */
export interface EngineComponent {
  readonly name: string;
  start(context: EngineContext): Promise<{ stop(): Promise<void> }>;
}

/** A task's implementation with its payload typed and the engine context given (src/tasks). */
export type SfsyncTask<N extends TaskName> = (payload: TaskPayloads[N], helpers: JobHelpers, context: EngineContext) => Promise<void>;

/**
 * The governor's decision for a connection, after reading the usage of its
 * client's latest response (jsforce updates it on every response).
 */
export async function governorState(ctx: EngineContext, connectionId: string): Promise<GovernorState> {
  await ctx.salesforce(connectionId);
  ctx.apiGovernor.observeSources();
  return ctx.apiGovernor.state(connectionId);
}
