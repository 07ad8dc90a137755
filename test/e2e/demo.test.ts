/**
 * The demo, as a user runs it: started as a subprocess on its own embedded
 * Postgres (data dir in a temp dir), used in both directions, and stopped with
 * SIGINT — exit 0, Postgres stopped, nothing left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';

let dir: string;
let child: ChildProcess | undefined;
let output = '';
let exited: Promise<number | null>;
let client: pg.Client | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfsync-demo-'));
  child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'sfsync.js'), 'demo', '--status-interval', '1'], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: '', SFSYNC_DATA_DIR: path.join(dir, 'state'), SFSYNC_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  exited = new Promise((resolve) => child!.on('exit', (code) => resolve(code)));
});

afterAll(async () => {
  await client?.end().catch(() => undefined);
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
});

async function salesforceToken(emulatorUrl: string): Promise<string> {
  const response = await fetch(`${emulatorUrl}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'sfsync-local',
      client_secret: 'sfsync-local-secret',
      username: 'admin@sfsync.test',
      password: 'sfsync',
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

it('loads, syncs both ways, and stops cleanly on SIGINT', async () => {
  await waitFor(() => /^Try:/m.test(output), { timeoutMs: 90_000, intervalMs: 200, what: `the demo to be ready; output so far:\n${output}` });
  const databaseUrl = /psql "(postgres:\/\/[^"]+)"/.exec(output)![1]!;
  const emulatorUrl = /Salesforce emulator: +(http:\/\/\S+)/.exec(output)![1]!;
  expect(output).toMatch(/Account: \d+ records/);
  // sfsync doctor ran at start and found nothing wrong; the status page is up at the printed URL.
  expect(output).toMatch(/checking the install \(sfsync doctor\)\n {2}all \d+ checks ok/);
  const statusPage = /status page: +(http:\/\/\S+\/) /.exec(output)![1]!;
  const html = await (await fetch(statusPage)).text();
  expect(html).toContain('<h1>sfsync status</h1>');
  expect(html).toContain('salesforce.account');
  client = new pg.Client(databaseUrl);
  await client.connect();
  const counts = await client.query('select (select count(*) from salesforce.account)::int as a, (select count(*) from salesforce.contact)::int as c');
  expect(counts.rows[0].a).toBeGreaterThanOrEqual(1000);
  expect(counts.rows[0].c).toBeGreaterThanOrEqual(1000);

  // Postgres → Salesforce
  const { rows } = await client.query<{ id: number; sfid: string }>('select id, sfid from salesforce.account where sfid is not null order by id limit 2');
  const [first, second] = rows as [{ id: number; sfid: string }, { id: number; sfid: string }];
  await client.query("update salesforce.account set name = 'Hello from Postgres' where id = $1", [first.id]);
  const token = await salesforceToken(emulatorUrl);
  const read = async (sfid: string) =>
    (await (await fetch(`${emulatorUrl}/services/data/v59.0/sobjects/Account/${sfid}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      Name: string;
    };
  await waitFor(async () => (await read(first.sfid)).Name === 'Hello from Postgres', { timeoutMs: 20_000, what: 'the update to reach the emulator' });

  // Salesforce → Postgres
  const patch = await fetch(`${emulatorUrl}/services/data/v59.0/sobjects/Account/${second.sfid}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ Name: 'Hello from Salesforce' }),
  });
  expect(patch.status).toBe(204);
  await waitFor(async () => (await client!.query('select name from salesforce.account where id = $1', [second.id])).rows[0]?.name === 'Hello from Salesforce', {
    timeoutMs: 30_000,
    what: 'the Salesforce change to reach the row',
  });
  await client.end();
  client = undefined;

  child!.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(output).toMatch(/stopped; the data stays in/);
  expect(existsSync(path.join(dir, 'state', 'pg', 'postmaster.pid'))).toBe(false);
  expect(existsSync(path.join(dir, 'state', 'emulator.json'))).toBe(true);
}, 180_000);
