/**
 * `sfsync demo` (`npm start`): an embedded Postgres under `<dataDir>/pg`, the
 * emulator in-process with a few thousand Accounts and Contacts, both mapped
 * read_write, the initial load with a progress bar, the engine, and a live
 * status view — until Ctrl-C, which stops everything in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type pg from 'pg';
import pino from 'pino';
import type { SfsyncConfig } from '../../config/config-schema.js';
import { migrate } from '../../db/migrate.js';
import { createPool } from '../../db/pool.js';
import { freePort } from '../../db/free-port.js';
import { providePostgres } from '../../db/provide-postgres.js';
import { SfsyncError } from '../../errors.js';
import { createLogger } from '../../engine/logger.js';
import { startEngine } from '../../engine/start-engine.js';
import { closePool } from '../cli-session.js';
import { formatFinding, type Finding } from '../doctor/finding.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { runningEmbeddedPort } from '../cli-postgres.js';
import { configFor, globalFlags } from '../global-options.js';
import { waitForSignal } from '../wait-for-signal.js';
import { DEFAULT_LOGIN } from 'salesforce-emulator';
import { startDemoEmulator } from './demo-emulator.js';
import { printInstructions, missingParts } from './demo-instructions.js';
import { loadInitialData } from './initial-load.js';
import { setUpDemo } from './demo-setup.js';
import { startStatusView } from './status-view.js';

/** Flags of `sfsync demo`. */
export interface DemoFlags {
  reset?: boolean;
  emulatorPort: string;
  statusInterval: string;
}

/** The emulator's default org, the demo's and the tests' (docs/salesforce-wire.md). */
const DEMO_LOGIN = DEFAULT_LOGIN;

/** Run the demo until SIGINT/SIGTERM. */
export async function runDemo(flags: DemoFlags, command: Command): Promise<void> {
  const base = await configFor(command);
  const dataDir = path.resolve(base.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  if (runningEmbeddedPort(pgDir) !== undefined) {
    throw new SfsyncError('DEMO_RUNNING', `Another sfsync process is using ${dataDir}; stop it first (or pass --data-dir for a second demo).`);
  }
  if (flags.reset) for (const name of ['pg', 'emulator.json', 'sfsync.log']) rmSync(path.join(dataDir, name), { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const abort = new AbortController();
  const cleanups: Array<() => Promise<void>> = [];
  step('starting Postgres', pgDir);
  // Only an explicit --database-url moves the demo off its own embedded server:
  // a DATABASE_URL exported for other work must not receive demo tables.
  const server = await providePostgres({ databaseUrl: globalFlags(command).databaseUrl ?? '', dataDir: pgDir });
  cleanups.push(() => server.stop());
  // After Postgres started (see waitForSignal): from here on Ctrl-C stops everything in order.
  const stopRequested = waitForSignal();
  void stopRequested.then(() => abort.abort());
  try {
    await migrate(server.url);
    step('starting the Salesforce emulator');
    const demoEmulator = await startDemoEmulator(dataDir, Number(flags.emulatorPort));
    cleanups.push(() => demoEmulator.stop());
    const config = demoConfig(base, server.url, demoEmulator.emulator.url, await freePort());
    const pool = createPool(server.url, { max: 4, applicationName: 'sfsync demo' });
    cleanups.push(() => closePool(pool));
    // Runs after the engine stopped, before the pool closes: let the engine's
    // sessions (worker LISTEN client, pools) really go before Postgres stops.
    cleanups.push(() => waitForOtherSessions(pool, 5000));
    const { rows } = await pool.query<{ now: Date }>('select now()');
    const since = rows[0]!.now;
    const plans = await setUpDemo(pool, config);
    // A fresh org under an existing database (its snapshot was missing or unusable): load it again.
    const reload = demoEmulator.origin === 'seeded' && plans.every((p) => !p.isNew);
    if (reload) for (const plan of plans) await pool.query('select sfsync.request_reload($1)', [plan.mappingId]);
    step('checking the install', 'sfsync doctor');
    for (const line of doctorLines(await runDoctor(pool, config))) console.log(`  ${line}`);
    const logFile = path.join(dataDir, 'sfsync.log');
    const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: logFile, sync: false, mkdir: true }) });
    step('starting the engine', `logs: ${logFile}`);
    const engine = await startEngine({ config, databaseUrl: server.url, logger });
    cleanups.push(() => engine.stop());
    const missing = missingParts();
    if (!abort.signal.aborted && (plans.some((p) => p.isNew) || reload)) {
      await loadInitialData(pool, plans, since, { missing, signal: abort.signal });
    }
    if (!abort.signal.aborted) {
      printInstructions({
        databaseUrl: server.url,
        emulatorUrl: demoEmulator.emulator.url,
        metricsUrl: `http://${config.metrics.host}:${config.metrics.port}`,
        actionToken: config.metrics.actionToken!,
        missing,
        origin: demoEmulator.origin,
        dataDir,
      });
      const view = startStatusView(pool, Math.max(0.5, Number(flags.statusInterval) || 2) * 1000);
      cleanups.push(() => view.stop());
    }
    await stopRequested;
    step('stopping');
  } finally {
    abort.abort();
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(`while stopping: ${(error as Error).message}`));
  }
  console.log(`stopped; the data stays in ${dataDir} (\`npm start -- --reset\` starts over)`);
}

/** What doctor found, briefly: its problems, or one line when there is none. */
function doctorLines(findings: Finding[]): string[] {
  const problems = findings.filter((f) => f.status !== 'ok');
  return problems.length ? problems.map(formatFinding) : [`all ${findings.length} checks ok`];
}

function demoConfig(base: SfsyncConfig, databaseUrl: string, emulatorUrl: string, metricsPort: number): SfsyncConfig {
  return {
    ...base,
    databaseUrl,
    salesforce: { ...base.salesforce, ...DEMO_LOGIN, loginUrl: emulatorUrl, authKind: 'password', refreshToken: undefined, jwtKeyFile: undefined },
    // A local demo: the status page's actions on, with a token made for this run unless one is configured.
    metrics: { ...base.metrics, port: metricsPort, actionToken: base.metrics.actionToken ?? randomBytes(16).toString('hex') },
  };
}

async function waitForOtherSessions(pool: pg.Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where pid <> pg_backend_pid() and backend_type = 'client backend' and application_name <> 'sfsync demo'`,
    );
    if ((rows[0]?.n ?? 0) === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function step(what: string, detail?: string): void {
  console.log(`» ${what}${detail ? ` (${detail})` : ''}`);
}
