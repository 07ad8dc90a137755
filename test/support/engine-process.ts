/**
 * `sfsync start` as a child process on a harness's database and emulator, so
 * tests can kill an engine for real (SIGKILL) and recover in-process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { REPO_ROOT } from './run-cli.js';
import { EMULATOR_LOGIN, startSyncHarness, type SyncHarness } from './sync-harness.js';

/** A running child engine: the process, its exit, and everything it printed so far. */
export interface EngineProcess {
  child: ChildProcess;
  exited: Promise<unknown>;
  output(): string;
  /** SIGKILL it (if still running) and wait for the exit. */
  kill(): Promise<void>;
}

/** Start `sfsync start --no-migrate` in `cwd` (which may hold a sfsync.config.json). */
export function startEngineProcess(harness: SyncHarness, cwd: string): EngineProcess {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'sfsync.js'), 'start', '--no-migrate', '--metrics-port', '0'], {
    cwd,
    env: {
      ...process.env,
      DATABASE_URL: harness.db.url,
      SFSYNC_DATA_DIR: path.join(cwd, 'state'),
      SFSYNC_LOGIN_URL: harness.emulator.url,
      SFSYNC_USERNAME: EMULATOR_LOGIN.username,
      SFSYNC_PASSWORD: EMULATOR_LOGIN.password,
      SFSYNC_CLIENT_ID: EMULATOR_LOGIN.clientId,
      SFSYNC_CLIENT_SECRET: EMULATOR_LOGIN.clientSecret,
      SFSYNC_METRICS_PORT: '0',
      SFSYNC_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    exited,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A test's harness and its child engine (see {@link useEngineProcess}). */
export interface EngineProcessFixture {
  /** This test's harness. */
  harness(): SyncHarness;
  /** Start `sfsync start` as a child in this test's directory; it is killed after the test. */
  startEngine(): EngineProcess;
}

/**
 * Call at a test file's top level: each test gets a fresh harness and a temp
 * directory holding `config` as its sfsync.config.json (when given); the child
 * engine, the harness and the directory are gone after each test, pass or fail.
 */
export function useEngineProcess(prefix: string, config?: object): EngineProcessFixture {
  let harness: SyncHarness | undefined;
  let dir: string | undefined;
  let engine: EngineProcess | undefined;
  beforeEach(async () => {
    harness = await startSyncHarness();
    dir = await mkdtemp(path.join(tmpdir(), `sfsync-${prefix}-`));
    if (config) await writeFile(path.join(dir, 'sfsync.config.json'), JSON.stringify(config));
  });
  afterEach(async () => {
    await engine?.kill();
    engine = undefined;
    await harness?.stop();
    harness = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return {
    harness: () => harness!,
    startEngine: () => (engine = startEngineProcess(harness!, dir!)),
  };
}
