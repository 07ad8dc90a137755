/**
 * `sfsync start` keeps trying while Postgres is not there yet (a restart
 * during start-up, a compose file starting both at once) instead of exiting:
 * the soak saw an engine restarted during a Postgres restart exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres.js';
import { freePort } from '../../src/db/free-port.js';
import { REPO_ROOT } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';

let dir: string | undefined;
let server: RunningPostgres | undefined;
let kill: (() => void) | undefined;

afterEach(async () => {
  kill?.();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = server = kill = undefined;
});

describe('sfsync start before Postgres is up', () => {
  it('waits for the server, then starts and stops on SIGINT', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sfsync-start-wait-'));
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'sfsync.js'), 'start', '--metrics-port', '0'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: `postgres://postgres:sfsync-local@127.0.0.1:${port}/postgres`, SFSYNC_LOG_LEVEL: 'info', SFSYNC_METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('Postgres is not answering'), { what: 'start to wait for Postgres', timeoutMs: 30_000 });
    expect(child.exitCode).toBeNull();
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, unsafeFast: true });
    await waitFor(() => out.includes('sfsync started'), { what: 'the engine to start', timeoutMs: 60_000 });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
