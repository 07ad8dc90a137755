/**
 * Per-connection credentials: two emulated orgs with different users and
 * connected apps, each stored by `sfsync connect --name … --password @file
 * --client-secret …`. With a key the secrets are sealed (never in clear in
 * the database); `sfsync start` then serves both with no SFSYNC_* credential
 * in its environment; `--rotate-key` re-seals them; a missing or wrong key
 * fails in one line naming the connection. Without a key only references
 * are stored.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from 'salesforce-emulator';
import { REPO_ROOT } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';
import { createCliWorld, expectOneLineFailure, parseJson, type CliWorld } from './cli-env.js';

let world: CliWorld;
const orgs: Record<'acme' | 'globex', { emulator?: RunningEmulator; username: string; password: string; clientId: string; clientSecret: string }> = {
  acme: { username: 'admin@acme.test', password: 'acme-pw;1', clientId: 'acme-app', clientSecret: 'acme-secret' },
  globex: { username: 'ops@globex.test', password: '@globex pw', clientId: 'globex-app', clientSecret: 'globex-secret' },
};
const children: ChildProcess[] = [];
let keyFile: string;
let newKeyFile: string;

/** No SFSYNC_* credential: what the stored connections hold must be enough. */
const NO_CREDENTIALS: NodeJS.ProcessEnv = {
  SFSYNC_LOGIN_URL: '',
  SFSYNC_USERNAME: '',
  SFSYNC_PASSWORD: '',
  SFSYNC_CLIENT_ID: '',
  SFSYNC_CLIENT_SECRET: '',
};

beforeAll(async () => {
  world = await createCliWorld();
  for (const [name, org] of Object.entries(orgs)) {
    org.emulator = await startEmulator({
      username: org.username,
      password: org.password,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      log: () => undefined,
    });
    org.emulator.org.create('Account', { Name: `${name} seeded` });
    await writeFile(path.join(world.dir, `${name}-password`), org.password, { mode: 0o600 });
  }
  keyFile = path.join(world.dir, 'secret.key');
  newKeyFile = path.join(world.dir, 'new-secret.key');
  await writeFile(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  await writeFile(newKeyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  expect((await world.sfsync(['migrate'])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const org of Object.values(orgs)) await org.emulator?.stop();
  await world?.close();
});

function connectArgs(name: 'acme' | 'globex'): string[] {
  const org = orgs[name];
  return [
    'connect',
    '--json',
    '--name',
    name,
    '--login-url',
    org.emulator!.url,
    '--username',
    org.username,
    '--client-id',
    org.clientId,
    '--password',
    `@${name}-password`,
    '--client-secret',
    `env:${name.toUpperCase()}_CLIENT_SECRET`,
  ];
}

const secretEnv = { ACME_CLIENT_SECRET: orgs.acme.clientSecret, GLOBEX_CLIENT_SECRET: orgs.globex.clientSecret };

function background(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
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

async function names(table: string): Promise<string[]> {
  const { rows } = await world.pool.query<{ name: string }>(`select name from ${table} order by name`);
  return rows.map((r) => r.name);
}

describe('many orgs, stored credentials', () => {
  it('stores only references without a key', async () => {
    const result = await world.sfsync(connectArgs('acme'), { ...NO_CREDENTIALS, ...secretEnv });
    const saved = parseJson<{ secrets: Record<string, string> }>(result);
    expect(saved.secrets).toEqual({ password: `@${path.join(world.dir, 'acme-password')}`, clientSecret: 'env:ACME_CLIENT_SECRET' });
    const { rows } = await world.pool.query('select secrets::text as s from sfsync.connections');
    expect(rows[0].s).not.toContain(orgs.acme.password);
    expect(rows[0].s).not.toContain(orgs.acme.clientSecret);
  });

  it('seals every secret under the key, never in clear', async () => {
    const env = { ...NO_CREDENTIALS, ...secretEnv, SFSYNC_SECRET_KEY_FILE: keyFile };
    for (const name of ['acme', 'globex'] as const) {
      const saved = parseJson<{ secrets: Record<string, string>; username: string }>(await world.sfsync(connectArgs(name), env));
      expect(saved).toMatchObject({ username: orgs[name].username, secrets: { password: 'sealed', clientSecret: 'sealed' } });
    }
    const dump = JSON.stringify((await world.pool.query('select * from sfsync.connections')).rows);
    for (const org of Object.values(orgs)) {
      expect(dump).not.toContain(org.password);
      expect(dump).not.toContain(org.clientSecret);
    }
  });

  it('start serves both orgs with no SFSYNC_* credential in its environment', async () => {
    const env = { ...NO_CREDENTIALS, SFSYNC_SECRET_KEY_FILE: keyFile };
    for (const name of ['acme', 'globex']) {
      const mapped = await world.sfsync(['map', 'Account', '--fields', 'Name', '--mode', 'read_write', '--connection', name, '--schema', name], env);
      expect(mapped.code, mapped.stderr).toBe(0);
    }
    const engine = background(['start'], env);
    await waitFor(async () => (await names('acme.account')).includes('acme seeded') && (await names('globex.account')).includes('globex seeded'), {
      timeoutMs: 60_000,
      what: `both orgs' records in their tables\n${engine.out()}`,
    });
    await world.pool.query(`insert into acme.account (name) values ('acme from postgres')`);
    await world.pool.query(`insert into globex.account (name) values ('globex from postgres')`);
    const sfNames = (org: 'acme' | 'globex') =>
      orgs[org]
        .emulator!.org.list('Account')
        .map((r) => String(r.values.Name))
        .sort();
    await waitFor(() => sfNames('acme').includes('acme from postgres') && sfNames('globex').includes('globex from postgres'), {
      timeoutMs: 60_000,
      what: 'each insert in its own org',
    });
    // Nothing crossed: each table and each org holds only its own records.
    expect(await names('acme.account')).toEqual(['acme from postgres', 'acme seeded']);
    expect(await names('globex.account')).toEqual(['globex from postgres', 'globex seeded']);
    expect(sfNames('acme')).toEqual(['acme from postgres', 'acme seeded']);
    expect(sfNames('globex')).toEqual(['globex from postgres', 'globex seeded']);
    engine.child.kill('SIGINT');
    expect(await engine.exited).toBe(0);
    expect(engine.out()).not.toContain(orgs.acme.password);
  }, 150_000);

  it('pause --connection pauses only that org; status and pending name the connection', async () => {
    const paused = parseJson<{ paused: number[] }>(await world.sfsync(['pause', '--connection', 'globex', '--json']));
    expect(paused.paused).toHaveLength(1);
    const status = parseJson<{ mappings: Array<{ connection: string; state: string }>; connections: Array<{ connection: string; state: string }> }>(
      await world.sfsync(['status', '--json']),
    );
    expect(status.mappings.map((m) => [m.connection, m.state])).toEqual([
      ['acme', 'active'],
      ['globex', 'paused'],
    ]);
    expect(status.connections.map((c) => [c.connection, c.state])).toEqual([
      ['acme', 'active'],
      ['globex', 'active'],
    ]);
    await world.pool.query(`insert into globex.account (name) values ('globex waiting')`);
    const pending = parseJson<{ pending: Array<{ connection: string; table: string }> }>(await world.sfsync(['pending', '--json']));
    expect(pending.pending).toMatchObject([{ connection: 'globex', table: 'globex.account' }]);
    expect((await world.sfsync(['status'])).stdout).toMatch(/^ID +CONNECTION +OBJECT/);
    expect(parseJson<{ resumed: number[] }>(await world.sfsync(['resume', '--connection', 'globex', '--json'])).resumed).toEqual(paused.paused);
    expectOneLineFailure(await world.sfsync(['pause', '--connection', 'nope']), /No connection named "nope" \(known: acme, globex\)/);
    expectOneLineFailure(await world.sfsync(['pause', 'Account', '--connection', 'acme']), /not several/);
  });

  it('a missing or wrong key fails start in one line naming the connection', async () => {
    expectOneLineFailure(await world.sfsync(['start'], NO_CREDENTIALS), /Connection "acme" has encrypted secrets but no key is set; set SFSYNC_SECRET_KEY/);
    expectOneLineFailure(
      await world.sfsync(['start'], { ...NO_CREDENTIALS, SFSYNC_SECRET_KEY: randomBytes(32).toString('base64') }),
      /Connection "acme"'s secrets were sealed under key [0-9a-f]{16}, not SFSYNC_SECRET_KEY/,
    );
  });

  it('--rotate-key re-seals every connection under the new key', async () => {
    const before = (await world.pool.query<{ s: string }>('select secrets::text as s from sfsync.connections order by id')).rows.map((r) => r.s);
    const rotated = parseJson<{ connections: string[] }>(
      await world.sfsync(['connect', '--rotate-key', '--new-key-file', newKeyFile, '--json'], { ...NO_CREDENTIALS, SFSYNC_SECRET_KEY_FILE: keyFile }),
    );
    expect(rotated.connections).toEqual(['acme', 'globex']);
    const after = (await world.pool.query<{ s: string }>('select secrets::text as s from sfsync.connections order by id')).rows.map((r) => r.s);
    expect(after).not.toEqual(before);
    // The old key no longer opens them; the new one does (the mapping command logs in to describe).
    expectOneLineFailure(
      await world.sfsync(['map', 'Contact', '--fields', 'LastName', '--connection', 'globex', '--schema', 'globex', '--plan'], {
        ...NO_CREDENTIALS,
        SFSYNC_SECRET_KEY_FILE: keyFile,
      }),
      /Connection "globex"'s secrets were sealed under key/,
    );
    const plan = await world.sfsync(['map', 'Contact', '--fields', 'LastName', '--connection', 'globex', '--schema', 'globex', '--plan'], {
      ...NO_CREDENTIALS,
      SFSYNC_SECRET_KEY_FILE: newKeyFile,
    });
    expect(plan.code, plan.stderr).toBe(0);
  });

  it('a login URL changed in the database does not receive the sealed secrets', async () => {
    await world.pool.query(`update sfsync.connections set login_url = 'http://127.0.0.1:9' where name = 'acme'`);
    expectOneLineFailure(
      await world.sfsync(['map', 'Contact', '--fields', 'LastName', '--connection', 'acme', '--schema', 'acme', '--plan'], {
        ...NO_CREDENTIALS,
        SFSYNC_SECRET_KEY_FILE: newKeyFile,
      }),
      /Connection "acme"'s stored --password does not open for login URL http:\/\/127\.0\.0\.1:9: .*run `sfsync connect --name acme/,
    );
  });
});
