/** Shared set-up of the read-path benchmarks: embedded Postgres, emulator, connection row, one mapping, an engine on demand. */
import type pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import type { SfsyncConfig, SfsyncConfigInput } from '../src/config/config-schema.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { providePostgres } from '../src/db/provide-postgres.js';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DEFAULT_LOGIN, seedRecords, startEmulator, type EmulatorOptions } from 'salesforce-emulator';
import { applyMapping } from '../src/mapping/apply-mapping.js';
import type { MappingSpecInput } from '../src/mapping/mapping-spec.js';
import { connectSalesforce } from '../src/salesforce/connect.js';
import { JsforceSalesforceClient } from '../src/salesforce/jsforce-client.js';
import { startEngine, type RunningEngine } from '../src/engine/start-engine.js';

/** A running read-path benchmark. */
export interface InboundBench {
  pool: pg.Pool;
  emulator: EmulatorHandle;
  sf: JsforceSalesforceClient;
  config: SfsyncConfig;
  connectionId: string;
  databaseUrl: string;
  /** Map an object (streaming off unless given); returns the mapping id. */
  map(spec: Omit<MappingSpecInput, 'connectionId'>): Promise<string>;
  /** Start an engine; `config` replaces the bench's (e.g. another streaming transport). */
  startEngine(config?: SfsyncConfig): Promise<RunningEngine>;
  stop(): Promise<void>;
}

/** The emulator, in this process or in a child (`sfsync emulator`), so its work does not share this thread. */
export interface EmulatorHandle {
  url: string;
  /** The Pub/Sub API's gRPC target `127.0.0.1:PORT`. */
  pubsub: string | undefined;
  seed(object: string, count: number, template?: Record<string, unknown>): Promise<void>;
  /** Set controls (a timing profile's, for one) through the control API. */
  setControls(controls: Record<string, unknown>): Promise<void>;
  /** CPU seconds the emulator process has used (separate process only; Linux /proc). */
  cpuSeconds?(): number;
  stop(): Promise<void>;
}

async function emulatorInProcess(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const emulator = await startEmulator({ ...options, port: 0, log: () => undefined });
  return {
    url: emulator.url,
    pubsub: emulator.pubsub?.address,
    async seed(object, count, template) {
      seedRecords(emulator.org, object, count, template ? { template: template as never } : {});
    },
    async setControls(controls) {
      emulator.org.setControls(controls);
    },
    stop: () => emulator.stop(),
  };
}

async function emulatorChild(): Promise<EmulatorHandle> {
  // BENCH_EMULATOR_NODE_ARGS: extra node flags for the emulator's process (`--cpu-prof --cpu-prof-dir=/tmp/prof` to profile Salesforce's side).
  const nodeArgs = (process.env.BENCH_EMULATOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, ['--max-old-space-size=8192', ...nodeArgs, 'bin/sfsync.js', 'emulator', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)));
  });
  const { url, pubsub } = JSON.parse(line) as { url: string; pubsub: string | null };
  return {
    url,
    pubsub: pubsub ?? undefined,
    async seed(object, count, template) {
      const res = await fetch(`${url}/__emulator/seed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ object, count, template }),
      });
      if (!res.ok) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
    },
    async setControls(controls) {
      const res = await fetch(`${url}/__emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(controls) });
      if (!res.ok) throw new Error(`controls refused: ${res.status} ${await res.text()}`);
    },
    cpuSeconds() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100/s)
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Start Postgres, the emulator and a connection row. */
export async function startInboundBench(
  options: { emulator?: EmulatorOptions; separateEmulator?: boolean; config?: SfsyncConfigInput } = {},
): Promise<InboundBench> {
  const server = await providePostgres({ temporary: true });
  await migrate(server.url);
  const emulator = options.separateEmulator ? await emulatorChild() : await emulatorInProcess(options.emulator);
  const pool = createPool(server.url, { max: 8, applicationName: 'sfsync bench' });
  const salesforce = {
    loginUrl: emulator.url,
    apiVersion: '59.0',
    ...DEFAULT_LOGIN,
  };
  const config = loadConfig({
    env: {},
    cwd: '/nonexistent',
    overrides: { databaseUrl: server.url, salesforce, metrics: { port: 0 }, logLevel: 'silent', ...options.config },
  });
  const { rows } = await pool.query<{ id: string }>(
    `insert into sfsync.connections (name, login_url, username, client_id) values ('bench', $1, $2, $3) returning id::text`,
    [emulator.url, salesforce.username, salesforce.clientId],
  );
  const sf = new JsforceSalesforceClient(await connectSalesforce(config.salesforce));
  const engines: RunningEngine[] = [];
  return {
    pool,
    emulator,
    sf,
    config,
    connectionId: rows[0]!.id,
    databaseUrl: server.url,
    async map(spec) {
      const client = await pool.connect();
      try {
        return (await applyMapping(client, sf, { streaming: 'off', ...spec, connectionId: rows[0]!.id } as MappingSpecInput)).mappingId;
      } finally {
        client.release();
      }
    },
    async startEngine(engineConfig = config) {
      const engine = await startEngine({ config: engineConfig, databaseUrl: server.url });
      engines.push(engine);
      // An engine the caller stops is not stopped again at the end.
      return {
        ...engine,
        stop: async () => {
          engines.splice(engines.indexOf(engine), 1);
          await engine.stop();
        },
      };
    },
    async stop() {
      for (const engine of engines.reverse()) await engine.stop().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await emulator.stop();
      await server.stop();
    },
  };
}

/** p-th percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
