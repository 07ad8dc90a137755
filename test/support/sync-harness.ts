/**
 * One sync under test: a Salesforce emulator, a cloned test database with a
 * `sfsync.connections` row pointing at it, a config (loadConfig with
 * overrides), a pool, and the engine on demand. `stop()` undoes everything in
 * reverse order, even when a step fails. Shared by the write and read path
 * tests (keep it additive).
 *
 * @example
 * const h = await startSyncHarness();
 * afterAll(() => h.stop());
 * await h.startEngine();
 */
import pg from 'pg';
import type { SfsyncConfig, SfsyncConfigInput } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createPool } from '../../src/db/pool.js';
import { DEFAULT_LOGIN, startEmulator, type EmulatorOptions, type RunningEmulator } from 'salesforce-emulator';
import { connectSalesforce } from '../../src/salesforce/connect.js';
import { JsforceSalesforceClient } from '../../src/salesforce/jsforce-client.js';
import { startEngine, type RunningEngine, type StartEngineOptions } from '../../src/engine/start-engine.js';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';

/** Options of {@link startSyncHarness}. */
export interface SyncHarnessOptions {
  /** Emulator options (schema, controls, seed …); the port is always free (0). */
  emulator?: EmulatorOptions;
  /** Config overrides, deep-merged over the harness defaults (fast push/poll tuning, metrics off). */
  config?: SfsyncConfigInput;
  /** Name of the connections row (default `emulator`). */
  connectionName?: string;
  /** A migrated database to use instead of a fresh clone (its own server, say); the caller drops it. */
  database?: TestDatabase;
  /** How the engine streams: `cometd` (default) or `pubsub` (the emulator's Pub/Sub API port). */
  streamingTransport?: 'cometd' | 'pubsub';
}

/** A running harness. */
export interface SyncHarness {
  db: TestDatabase;
  emulator: RunningEmulator;
  /** A pool on the test database for the test's own queries (max 5). */
  pool: pg.Pool;
  config: SfsyncConfig;
  /** The `sfsync.connections` id (bigint as a string). */
  connectionId: string;
  /** The engine started last by `startEngine`, if any. */
  engine?: RunningEngine;
  /** Every engine started (two-engine tests), stopped by `stop()`. */
  engines: RunningEngine[];
  /** Start an engine (worker + components) on the test database. */
  startEngine(options?: Partial<Omit<StartEngineOptions, 'config' | 'databaseUrl'>>): Promise<RunningEngine>;
  /** A fresh SalesforceClient logged into the emulator (for mapping calls and assertions). */
  salesforce(): Promise<JsforceSalesforceClient>;
  /** Stop engines, pool, emulator and drop the database (reverse order; errors collected, first one thrown). */
  stop(): Promise<void>;
}

/** The emulator's default credentials (docs/salesforce-wire.md). */
export const EMULATOR_LOGIN = DEFAULT_LOGIN;

/** Start a harness; on failure everything started so far is stopped. */
export async function startSyncHarness(options: SyncHarnessOptions = {}): Promise<SyncHarness> {
  const undo: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const step of undo.splice(0).reverse()) await step().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  };
  try {
    const emulator = await startEmulator({ ...options.emulator, port: 0, log: options.emulator?.log ?? (() => undefined) });
    undo.push(() => emulator.stop());
    const db = options.database ?? (await createTestDatabase());
    if (!options.database) undo.push(() => db.drop());
    const pool = createPool(db.url, { max: 5, applicationName: 'sfsync test' });
    undo.push(() => pool.end());
    const { rows } = await pool.query<{ id: string }>(
      `insert into sfsync.connections (name, login_url, instance_url, auth_kind, username, client_id) values ($1, $2, $2, 'password', $3, $4) returning id::text`,
      [options.connectionName ?? 'emulator', emulator.url, EMULATOR_LOGIN.username, EMULATOR_LOGIN.clientId],
    );
    const transport: SfsyncConfigInput =
      options.streamingTransport === 'pubsub'
        ? { salesforce: { streamingTransport: 'pubsub', pubsubUrl: `http://${emulator.pubsub?.address ?? 'pubsub-is-off:1'}` } }
        : {};
    const config = harnessConfig(emulator.url, db.url, merge(transport, options.config ?? {}) as SfsyncConfigInput);
    const harness: SyncHarness = {
      db,
      emulator,
      pool,
      config,
      connectionId: rows[0]!.id,
      engines: [],
      async startEngine(engineOptions = {}) {
        const engine = await startEngine({ ...engineOptions, config, databaseUrl: db.url });
        harness.engines.push(engine);
        harness.engine = engine;
        return engine;
      },
      async salesforce() {
        return new JsforceSalesforceClient(await connectSalesforce(config.salesforce));
      },
      stop: stopAll,
    };
    // Engines stop first (they hold pools on the database and sessions on the emulator).
    undo.push(async () => {
      for (const engine of harness.engines.splice(0).reverse()) await engine.stop();
    });
    return harness;
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

function harnessConfig(loginUrl: string, databaseUrl: string, overrides: SfsyncConfigInput = {}): SfsyncConfig {
  const defaults: SfsyncConfigInput = {
    databaseUrl,
    salesforce: { loginUrl, apiVersion: '59.0', authKind: 'password', ...EMULATOR_LOGIN },
    push: { debounceMs: 2, sweepIntervalMs: 500, retryBaseMs: 50, retryMaxMs: 1000 },
    poll: { upperLagMs: 0, eventDebounceMs: 5 },
    metrics: { port: 0 },
    logLevel: 'silent',
  };
  return loadConfig({ env: {}, cwd: '/nonexistent-sfsync-test-dir', overrides: merge(defaults, overrides) as SfsyncConfigInput });
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] =
      prev && typeof prev === 'object' && !Array.isArray(prev) && v && typeof v === 'object' && !Array.isArray(v)
        ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
