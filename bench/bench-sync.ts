/** Shared set-up of the push benchmarks: embedded Postgres, emulator, connection, one read_write Account mapping, an engine. */
import pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import type { SfsyncConfigInput } from '../src/config/config-schema.js';
import { migrate } from '../src/db/migrate.js';
import { providePostgres } from '../src/db/provide-postgres.js';
import { DEFAULT_LOGIN, startEmulator, type LatencyProfileName, type Org, type RunningEmulator } from 'salesforce-emulator';
import { applyMapping } from '../src/mapping/apply-mapping.js';
import { connectSalesforce } from '../src/salesforce/connect.js';
import { JsforceSalesforceClient } from '../src/salesforce/jsforce-client.js';
import type { SalesforceClient } from '../src/salesforce/salesforce-client.js';
import { startEngine, type RunningEngine } from '../src/engine/start-engine.js';

/** A running benchmark sync. */
export interface BenchSync {
  client: pg.Client;
  emulator: RunningEmulator;
  engine: RunningEngine;
  mappingId: string;
  /** The engine's own SalesforceClient of the connection (its callCount counts the push's calls). */
  salesforce(): Promise<SalesforceClient>;
  stop(): Promise<void>;
}

/** Options of {@link startBenchSync}. */
export interface BenchSyncOptions {
  /** Records to create in the emulator BEFORE the mapping, so the engine's initial load copies them. */
  seed?: (org: Org) => void;
  /** Mapping poll interval; default '1 hour' so no poll's calls mix with the push's. */
  pollInterval?: string;
  /** The emulator's timing profile (default none: answers in microseconds). */
  profile?: LatencyProfileName;
}

/**
 * Start everything; `push` overrides config.push. Returns once the mapping's
 * initial load and the poll that follows it have finished: a benchmark that
 * wrote local rows while the load ran would race it (same sfids), and one
 * that counted calls while that poll ran would count its query pages.
 */
export async function startBenchSync(push: SfsyncConfigInput['push'] = {}, options: BenchSyncOptions = {}): Promise<BenchSync> {
  const server = await providePostgres({ temporary: true });
  await migrate(server.url);
  const emulator = await startEmulator({ port: 0, log: () => undefined, profile: options.profile ?? 'none' });
  options.seed?.(emulator.org);
  const client = new pg.Client(server.url);
  await client.connect();
  const salesforce = {
    loginUrl: emulator.url,
    apiVersion: '59.0',
    ...DEFAULT_LOGIN,
  };
  const config = loadConfig({
    env: {},
    cwd: '/nonexistent',
    overrides: { databaseUrl: server.url, salesforce, push, metrics: { port: 0 }, logLevel: 'silent' },
  });
  const { rows } = await client.query<{ id: string }>(
    `insert into sfsync.connections (name, login_url, username, client_id) values ('bench', $1, $2, $3) returning id::text`,
    [emulator.url, salesforce.username, salesforce.clientId],
  );
  const connectionId = rows[0]!.id;
  const sf = new JsforceSalesforceClient(await connectSalesforce(config.salesforce));
  const plan = await applyMapping(client, sf, {
    connectionId,
    sobject: 'Account',
    fields: ['Name', 'NumberOfEmployees'],
    mode: 'read_write',
    streaming: 'off',
    pollInterval: options.pollInterval ?? '1 hour',
  });
  const engine = await startEngine({ config, databaseUrl: server.url });
  const sync: BenchSync = {
    client,
    emulator,
    engine,
    mappingId: plan.mappingId,
    salesforce: () => engine.context.salesforce(connectionId),
    async stop() {
      await engine.stop().catch(() => undefined);
      await client.end().catch(() => undefined);
      await emulator.stop();
      await server.stop();
    },
  };
  await waitLoaded(client, plan.mappingId).catch(async (error: unknown) => {
    await sync.stop();
    throw error;
  });
  return sync;
}

/**
 * Wait for the initial load and for the read path to be idle after it (twice,
 * 300 ms apart). The poll queued when the load commits re-reads whatever was
 * stamped from the load's upper bound (truncated to the second) through REST:
 * for records seeded in that second, 50 calls for 100,000 records. Measured
 * while it overlapped the push, its pages were counted as push calls (547
 * calls for 100,000 rows, 47 of them query pages). That poll may also find an
 * empty window and record none (a load shorter than the lag), so the wait is
 * for no poll, drift, reload or reconcile job running or due, not for a
 * recorded window: one that never comes stalled the bench.
 */
async function waitLoaded(client: pg.Client, mappingId: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let idleSeen = false;
  for (;;) {
    const { rows } = await client.query<{ loaded: boolean; idle: boolean }>(
      `select m.state = 'active' and not exists (select 1 from graphile_worker.jobs where task_identifier = 'sfsync:reload') as loaded,
              not exists (select 1 from sfsync.poll_windows w where w.mapping_id = m.id and w.outcome = 'running')
              and not exists (select 1 from graphile_worker.jobs j where j.task_identifier in ('sfsync:poll', 'sfsync:drift', 'sfsync:reload', 'sfsync:reconcile')
                                and (j.locked_at is not null or j.run_at <= now())) as idle
         from sfsync.mappings m where id = $1`,
      [mappingId],
    );
    const ready = rows[0]?.loaded === true && rows[0].idle;
    if (ready && idleSeen) return;
    idleSeen = ready;
    if (Date.now() > deadline) throw new Error('The initial load and its first poll did not finish within 120 s.');
    await new Promise((resolve) => setTimeout(resolve, ready ? 300 : 50));
  }
}
