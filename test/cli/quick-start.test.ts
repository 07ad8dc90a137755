/**
 * The README's "Your own org and database" quick start, command by command,
 * against the emulator as if it were an org: init, connect, map, doctor,
 * start (a child process, stopped with SIGTERM as systemd does), with the
 * status page on the metrics port. And `sfsync map` with credentials
 * configured but no connection stored connects by itself.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/free-port.js';
import { REPO_ROOT } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';
import { createCliWorld, expectOneLineFailure, parseJson, snapshotDatabase, type CliWorld } from './cli-env.js';

let world: CliWorld;
beforeAll(async () => {
  world = await createCliWorld({ seed: true });
});
afterAll(async () => {
  await world?.close();
});

describe('quick start for your own org and database', () => {
  it('init, connect, map, doctor, start: a change reaches Salesforce, and SIGTERM stops it', async () => {
    const init = await world.sfsync(['init', '--login-url', world.emulator.url]);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(world.dir, 'sfsync.config.json'), 'utf8')).salesforce.loginUrl).toBe(world.emulator.url);
    expect((await world.sfsync(['connect'])).stdout).toMatch(/stored connection "default"/);
    const map = await world.sfsync(['map', 'Account', '--fields', 'Name,Phone', '--mode', 'read_write']);
    expect(map.stdout, map.stderr).toMatch(/^mapped Account → salesforce\.account/);
    const doctor = await world.sfsync(['doctor']);
    expect(doctor.stdout).not.toMatch(/^(FAIL|WARN)/m);
    expect(doctor.code).toBe(0);

    const port = await freePort();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'sfsync.js'), 'start'], {
      cwd: world.dir,
      env: { ...process.env, ...world.env, SFSYNC_METRICS_PORT: String(port), SFSYNC_ACTION_TOKEN: 'quick-start-token-0123456789', SFSYNC_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const row = await waitFor(async () => (await world.pool.query(`select id, sfid from salesforce.account where name = 'Seeded Account'`)).rows[0], {
        timeoutMs: 60_000,
        what: `the initial load; output so far:\n${output}`,
      });
      const page = await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`)).text(), { what: 'the status page' });
      expect(page).toContain('salesforce.account');
      expect(page).toContain('id="token"'); // actions on: the token is configured
      await world.pool.query(`update salesforce.account set phone = '555-0199' where id = $1`, [row.id]);
      await waitFor(() => world.emulator.org.latest(row.sfid)?.values.Phone === '555-0199', { timeoutMs: 30_000, what: 'the change in Salesforce' });
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
  }, 150_000);

  it('map connects by itself when credentials are configured and no connection is stored', async () => {
    await world.pool.query('delete from sfsync.mappings');
    await world.pool.query('delete from sfsync.connections');
    // Nothing configured: still refused, naming what to set; nothing stored.
    const before = await snapshotDatabase(world.pool);
    const bare = await world.sfsync(['map', 'Contact', '--fields', 'LastName'], {
      SFSYNC_USERNAME: '',
      SFSYNC_PASSWORD: '',
      SFSYNC_CLIENT_ID: '',
      SFSYNC_CLIENT_SECRET: '',
    });
    expectOneLineFailure(bare, /no credentials are configured; set SFSYNC_USERNAME.*\[NO_CONNECTION\]/);
    // A map that fails after logging in keeps no connection.
    expectOneLineFailure(await world.sfsync(['map', 'Contact', '--fields', 'Colour__c']), /Colour__c/);
    expect(await snapshotDatabase(world.pool)).toBe(before);
    // Configured: it logs in, stores "default", says so on stderr, and maps.
    const mapped = await world.sfsync(['map', 'Contact', '--fields', 'LastName', '--json']);
    expect(mapped.stderr).toMatch(/stored connection "default"/);
    expect(parseJson<{ applied: boolean }>(mapped).applied).toBe(true);
    const { rows } = await world.pool.query(`select c.name, c.login_url from sfsync.connections c join sfsync.mappings m on m.connection_id = c.id`);
    expect(rows).toEqual([{ name: 'default', login_url: world.emulator.url }]);
  });

  it('map connects as connect does: a malformed secret key fails in one line before any login, and nothing is stored', async () => {
    await world.pool.query('delete from sfsync.mappings');
    await world.pool.query('delete from sfsync.connections');
    const before = await snapshotDatabase(world.pool);
    const sessions = world.emulator.org.sessions.size;
    const map = await world.sfsync(['map', 'Contact', '--fields', 'LastName'], { SFSYNC_SECRET_KEY: 'not-a-key' });
    expectOneLineFailure(map, /SFSYNC_SECRET_KEY is not a 32-byte key in base64 or hex; make one with `openssl rand -base64 32`/);
    expect(world.emulator.org.sessions.size).toBe(sessions);
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });
});
