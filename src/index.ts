/**
 * sfsync's public API (named exports only). Most users run the `sfsync` CLI;
 * a host application can instead run the engine, or only sfsync's tasks in
 * its own graphile-worker, and manage mappings from code.
 *
 * @example
 * import { loadConfig, migrate, startEngine } from 'sfsync';
 * const config = loadConfig();
 * await migrate(process.env.DATABASE_URL!);
 * const engine = await startEngine({ config, databaseUrl: process.env.DATABASE_URL! });
 * // … later
 * await engine.stop();
 */
export { SfsyncError, isSfsyncError } from './errors.js';
export { loadConfig, type LoadConfigOptions } from './config/load-config.js';
export type { SfsyncConfig, SfsyncConfigInput } from './config/config-schema.js';
export { migrate, type MigrateResult } from './db/migrate.js';
export { startEngine, type StartEngineOptions, type RunningEngine } from './engine/start-engine.js';
export type { EngineContext, EngineComponent } from './jobs/context.js';
export { createTaskList } from './tasks/task-list.js';
export type { TaskPayloads, TaskName } from './jobs/payloads.js';
export { startEmulator, type EmulatorOptions, type RunningEmulator } from 'salesforce-emulator';
export { planMapping, type MappingPlan } from './mapping/plan-mapping.js';
export { applyMapping, removeMapping, type RemoveMappingOptions } from './mapping/apply-mapping.js';
export { parseMappingSpec, type MappingSpec, type MappingSpecInput } from './mapping/mapping-spec.js';
export { createLogger } from './engine/logger.js';
export { startMetricsServer } from './engine/metrics-server.js';
