/**
 * `sfsync emulator` and `sfsync start` as subprocesses: they serve until
 * SIGINT, then exit 0; `start` serves /healthz and /metrics on 127.0.0.1, and
 * `reload --wait` beside it follows a reload to the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/free-port.js';
import { REPO_ROOT } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';
import { createCliWorld, type CliWorld } from './cli-env.js';

let world: CliWorld;
const children: ChildProcess[] = [];
beforeAll(async () => {
  world = await createCliWorld();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await world?.close();
});

/** Start `sfsync <args>` in the background, collecting its output. */
function background(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'sfsync.js'), ...args], {
    cwd: world.dir,
    env: { ...process.env, ...world.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

describe('long-running commands', () => {
  it('emulator serves a login until SIGINT', async () => {
    const port = await freePort();
    const emu = background(['emulator', '--port', String(port), '--json']);
    const info = await waitFor(
      () =>
        emu
          .out()
          .split('\n')
          .find((l) => l.startsWith('{')),
      { timeoutMs: 30_000, what: 'the emulator to listen' },
    );
    expect(JSON.parse(info)).toMatchObject({ url: `http://127.0.0.1:${port}`, username: 'admin@sfsync.test' });
    const token = await fetch(`http://127.0.0.1:${port}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'sfsync-local',
        client_secret: 'sfsync-local-secret',
        username: 'admin@sfsync.test',
        password: 'sfsync',
      }),
    });
    expect(token.status).toBe(200);
    emu.child.kill('SIGINT');
    expect(await emu.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('emulator --username/--password/--client-id/--client-secret serves a second org with its own login and organization Id', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = background(['emulator', '--port', String(portA), '--json']);
    const creds = { username: 'second@org.test', password: 'pw-2', client_id: 'app-2', client_secret: 'app-2-secret' };
    const b = background([
      'emulator',
      '--port',
      String(portB),
      '--json',
      '--username',
      creds.username,
      '--password',
      creds.password,
      '--client-id',
      creds.client_id,
      '--client-secret',
      creds.client_secret,
    ]);
    const infoOf = async (emu: ReturnType<typeof background>) =>
      JSON.parse(
        await waitFor(
          () =>
            emu
              .out()
              .split('\n')
              .find((l) => l.startsWith('{')),
          { timeoutMs: 30_000, what: 'the emulator to listen' },
        ),
      ) as { orgId: string; username: string; clientId: string };
    const [infoA, infoB] = [await infoOf(a), await infoOf(b)];
    expect(infoB).toMatchObject({ username: creds.username, clientId: creds.client_id });
    expect(infoA.orgId).toMatch(/^00D[0-9A-Za-z]{15}$/);
    expect(infoB.orgId).not.toBe(infoA.orgId);
    const token = (port: number, body: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', ...body }) });
    expect((await token(portB, creds)).status).toBe(200);
    const defaults = { client_id: 'sfsync-local', client_secret: 'sfsync-local-secret', username: 'admin@sfsync.test', password: 'sfsync' };
    expect((await token(portB, defaults)).status).toBe(400);
    expect((await token(portA, creds)).status).toBe(400);
    a.child.kill('SIGINT');
    b.child.kill('SIGINT');
    expect([await a.exited, await b.exited]).toEqual([0, 0]);
  });

  it('start serves /healthz and /metrics, logs JSON without secrets, and stops on SIGINT', async () => {
    expect((await world.sfsync(['connect'])).code).toBe(0);
    expect((await world.sfsync(['map', 'Account', '--fields', 'Name', '--mode', 'read_write'])).code).toBe(0);
    const port = await freePort();
    const engine = background(['start', '--metrics-port', String(port)]);
    const health = await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200, {
      timeoutMs: 40_000,
      what: '/healthz',
    });
    expect(health).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^sfsync_changes_pending\{mapping_id="\d+",object="Account"\} 0$/m);
    expect(metrics).toMatch(/^sfsync_api_limit\{connection="default"\} \d+/m);
    expect(metrics).toMatch(/^# TYPE sfsync_queue_depth gauge$/m);

    // reload --wait follows the reload the running engine performs, then exits 0 with its figures.
    world.emulator.org.create('Account', { Name: 'Reload me' });
    await waitFor(async () => (await world.pool.query("select 1 from sfsync.mappings where state = 'active' and watermark is not null")).rowCount === 1, {
      timeoutMs: 20_000,
      what: 'the initial load',
    });
    // A generous limit: the test is about the outcome. (Its earlier 30 s failures were the race reload-wait.test.ts covers.)
    const reload = await world.sfsync(['reload', 'Account', '--wait', '--json', '--timeout', '150'], {}, 180_000);
    expect(reload.code, reload.stderr).toBe(0);
    expect(JSON.parse(reload.stdout.trim().split('\n').pop()!)).toMatchObject({ sobject: 'Account', records: 1 });

    engine.child.kill('SIGINT');
    expect(await engine.exited).toBe(0);
    const logs = engine
      .out()
      .split('\n')
      .filter((l) => l.startsWith('{"level"'));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.map((l) => JSON.parse(l).msg)).toContain('stopped');
    expect(engine.out()).not.toMatch(/sfsync-local-secret/);
  }, 300_000);
});
