/**
 * Hostile input to the setup commands (issue 19, items 3, 8, 9, 10): a stored
 * login URL pointed elsewhere, settings that cannot work (cron, empty or
 * missing secret files, an API version the org lacks, bad URLs, hosts and
 * timeouts). Each is refused in one line before it does harm: no request to
 * the wrong server, nothing stored, no file left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { sameLoginUrl } from '../../src/config/login-url.js';
import { pollScheduler } from '../../src/engine/poll-scheduler.js';
import { metricsServer, startMetricsServer } from '../../src/engine/metrics-server.js';
import type { EngineContext } from '../../src/jobs/context.js';
import { REPO_ROOT } from '../support/run-cli.js';
import { createCliWorld, expectOneLineFailure, parseJson, snapshotDatabase, type CliWorld } from './cli-env.js';

let world: CliWorld;
let attacker: Attacker;

beforeAll(async () => {
  world = await createCliWorld();
  attacker = await startAttacker();
  expect((await world.sfsync(['connect'])).code).toBe(0);
  const mapped = await world.sfsync(['map', 'Account', '--fields', 'Name', '--mode', 'read_only']);
  expect(mapped.code, mapped.stderr).toBe(0);
  const contact = await world.sfsync(['map', 'Contact', '--fields', 'LastName', '--mode', 'read_only']);
  expect(contact.code, contact.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await attacker?.stop();
  await world?.close();
});

/** A server standing in for an attacker: it records every request it gets and refuses them all. */
interface Attacker {
  url: string;
  hits: string[];
  stop(): Promise<void>;
}

async function startAttacker(): Promise<Attacker> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end('{"error":"invalid_grant","error_description":"no"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function setLoginUrl(url: string): Promise<void> {
  await world.pool.query("update sfsync.connections set login_url = $1 where name = 'default'", [url]);
}

describe('secrets go only to the configured login URL', () => {
  it('a stored login_url pointed elsewhere gets no request, and the failure names both URLs', async () => {
    await setLoginUrl(attacker.url);
    try {
      const before = await snapshotDatabase(world.pool);
      const result = await world.sfsync(['map', 'Account', '--fields', 'Name', '--plan']);
      expectOneLineFailure(
        result,
        /logs in at http:\/\/127\.0\.0\.1:\d+.*credentials are for http:\/\/127\.0\.0\.1:\d+.*--trust-stored-login-url.*\[LOGIN_URL_UNTRUSTED\]/,
      );
      expect(result.stderr).toContain(attacker.url);
      expect(result.stderr).toContain(world.emulator.url);
      expect(attacker.hits).toEqual([]);
      expect(await snapshotDatabase(world.pool)).toBe(before);
    } finally {
      await setLoginUrl(world.emulator.url);
    }
  });

  it('sfsync start refuses at once, before the engine logs in anywhere', async () => {
    await setLoginUrl(attacker.url);
    try {
      const result = await world.sfsync(['start', '--no-migrate']);
      expectOneLineFailure(result, /\[LOGIN_URL_UNTRUSTED\]/);
      expect(attacker.hits).toEqual([]);
    } finally {
      await setLoginUrl(world.emulator.url);
    }
  }, 90_000);

  it('--trust-stored-login-url (or SFSYNC_TRUST_STORED_LOGIN_URL) opts in', async () => {
    await setLoginUrl(attacker.url);
    try {
      expectOneLineFailure(await world.sfsync(['map', 'Account', '--fields', 'Name', '--plan', '--trust-stored-login-url']), /\[SF_AUTH_FAILED\]/);
      expect(attacker.hits.length).toBeGreaterThan(0);
      attacker.hits.length = 0;
      expectOneLineFailure(
        await world.sfsync(['map', 'Account', '--fields', 'Name', '--plan'], { SFSYNC_TRUST_STORED_LOGIN_URL: 'true' }),
        /\[SF_AUTH_FAILED\]/,
      );
      expect(attacker.hits.length).toBeGreaterThan(0);
    } finally {
      attacker.hits.length = 0;
      await setLoginUrl(world.emulator.url);
    }
  });

  it('compares normalised URLs: a trailing slash or upper-case host is the same endpoint', async () => {
    expect(sameLoginUrl('HTTPS://Login.Salesforce.com:443/', 'https://login.salesforce.com')).toBe(true);
    expect(sameLoginUrl('https://login.salesforce.com/x', 'https://login.salesforce.com')).toBe(false);
    await setLoginUrl(`${world.emulator.url}/`);
    try {
      const result = await world.sfsync(['map', 'Account', '--fields', 'Name', '--plan']);
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await setLoginUrl(world.emulator.url);
    }
  });
});

describe('config values that cannot work', () => {
  const writeConfig = (name: string, content: string) => {
    const file = path.join(world.dir, name);
    writeFileSync(file, content);
    return file;
  };

  it('poll.reconcileCron is parsed at load', async () => {
    const file = writeConfig('cron.json', JSON.stringify({ poll: { reconcileCron: 'every night' } }));
    expectOneLineFailure(await world.sfsync(['--config', file, 'status']), /"poll\.reconcileCron".*5 fields.*\[CONFIG_INVALID\]/);
    writeConfig('cron.json', JSON.stringify({ poll: { reconcileCron: '0 0 30 2 *' } }));
    expectOneLineFailure(await world.sfsync(['--config', file, 'status']), /"poll\.reconcileCron".*never matches.*\[CONFIG_INVALID\]/);
  });

  it('a config file that is not a JSON object is refused, not read as empty', async () => {
    for (const content of ['null', '5', '[]', '"text"']) {
      const file = writeConfig('scalar.json', content);
      expectOneLineFailure(await world.sfsync(['--config', file, 'status']), /must be a JSON object.*\[CONFIG_INVALID\]/);
    }
  });

  it('only https login URLs, or http to this machine', async () => {
    for (const url of ['ftp://login.salesforce.com', 'javascript:alert(1)', 'http://login.example.com', 'https://user:pw@login.salesforce.com', 'notaurl']) {
      expectOneLineFailure(await world.sfsync(['status'], { SFSYNC_LOGIN_URL: url }), /"salesforce\.loginUrl".*\[CONFIG_INVALID\]/);
    }
    for (const url of ['http://localhost:1', 'http://127.0.0.1:1', 'http://[::1]:1', 'https://test.salesforce.com']) {
      expect(loadConfig({ env: { SFSYNC_LOGIN_URL: url }, cwd: world.dir }).salesforce.loginUrl).toBe(url);
    }
  });

  it('empty strings, timer overflows and bad env values are refused', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ salesforce: { password: '' } }, /"salesforce\.password".*must not be empty/],
      [{ metrics: { host: '' } }, /"metrics\.host"/],
      [{ dataDir: '' }, /"dataDir".*must not be empty/],
      [{ push: { sweepIntervalMs: 3_000_000_000 } }, /"push\.sweepIntervalMs"/],
      [{ push: { keepDoneHours: 10_000_000 } }, /"push\.keepDoneHours"/],
      [{ poll: { eventDebounceMs: -1 } }, /"poll\.eventDebounceMs"/],
    ];
    for (const [content, pattern] of cases) {
      const file = writeConfig('values.json', JSON.stringify(content));
      // The env would override the file's password and dataDir: unset there.
      expectOneLineFailure(await world.sfsync(['--config', file, 'status'], { SFSYNC_PASSWORD: '', SFSYNC_DATA_DIR: '' }), pattern);
    }
    expectOneLineFailure(await world.sfsync(['status'], { SFSYNC_METRICS_PORT: 'abc' }), /SFSYNC_METRICS_PORT must be a whole number.*\[CONFIG_INVALID\]/);
    expectOneLineFailure(
      await world.sfsync(['status'], { SFSYNC_TRUST_STORED_LOGIN_URL: 'maybe' }),
      /SFSYNC_TRUST_STORED_LOGIN_URL must be 1, true or yes.*\[CONFIG_INVALID\]/,
    );
  });
});

describe('the poll scheduler', () => {
  it('seeds every mapping even when one fails', async () => {
    const { rows } = await world.pool.query<{ id: string }>("update sfsync.mappings set state = 'active' returning id::text");
    const ids = rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const seeded: string[] = [];
    const warnings: unknown[] = [];
    const ctx = {
      config: loadConfig({ env: {}, cwd: world.dir }),
      pool: world.pool,
      addJob: async (name: string, payload: { mappingId: string }) => {
        if (payload.mappingId === ids[0]) throw new Error('add_job failed');
        seeded.push(`${name}:${payload.mappingId}`);
      },
      logger: { warn: (...args: unknown[]) => warnings.push(args), info: () => undefined, debug: () => undefined },
    } as unknown as EngineContext;
    const running = await pollScheduler.start(ctx);
    await running.stop();
    expect(seeded).toContain(`sfsync:poll:${ids[1]}`);
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('connect refuses settings that cannot work', () => {
  it('an empty client secret file, naming the file (it used to log in by SOAP and store "password")', async () => {
    const file = path.join(world.dir, 'empty-secret');
    writeFileSync(file, '\n');
    const before = await snapshotDatabase(world.pool);
    const result = await world.sfsync(['connect', '--name', 'other', '--client-secret', `@${file}`], { SFSYNC_CLIENT_SECRET: '' });
    expectOneLineFailure(result, /secret file ".*empty-secret".*salesforce\.clientSecret.*is empty.*\[SECRET_EMPTY\]/);
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });

  it('an API version the org does not serve, naming the range', async () => {
    const before = await snapshotDatabase(world.pool);
    const result = await world.sfsync(['connect', '--name', 'other', '--api-version', '99.0']);
    expectOneLineFailure(result, /serves API versions 50\.0 to 62\.0, not 99\.0.*--api-version.*\[SF_API_VERSION_UNSUPPORTED\]/);
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });

  it('a missing @file is SECRET_UNREADABLE naming the file and the setting, not a failed login', async () => {
    const before = await snapshotDatabase(world.pool);
    const result = await world.sfsync(['connect', '--name', 'other', '--password', `@${path.join(world.dir, 'no-such-file')}`], { SFSYNC_PASSWORD: '' });
    expectOneLineFailure(
      result,
      /secret file ".*no-such-file" given for salesforce\.password \(SFSYNC_PASSWORD, --password\) \(ENOENT\).*\[SECRET_UNREADABLE\]/,
    );
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });

  it('a password with a client id but no secret is stored as the SOAP login it is', async () => {
    const out = parseJson<{ authKind: string }>(await world.sfsync(['connect', '--json', '--name', 'soapy'], { SFSYNC_CLIENT_SECRET: '' }));
    expect(out.authKind).toBe('soap');
    await world.pool.query("delete from sfsync.connections where name = 'soapy'");
  });
});

describe('init', () => {
  it('a bad --login-url is one line and exit 1, and writes nothing', async () => {
    const file = path.join(world.dir, 'init-bad-url.json');
    const result = await world.sfsync(['--config', file, 'init', '--login-url', 'notaurl']);
    expect(result.code).toBe(1);
    expectOneLineFailure(result, /"salesforce\.loginUrl".*not a URL.*\[CONFIG_INVALID\]/);
    expect(existsSync(file)).toBe(false);
  });

  it('leaves no config file behind when the database is unreachable, so a rerun works', async () => {
    const file = path.join(world.dir, 'init-unreachable.json');
    const result = await world.sfsync(['--config', file, 'init'], { DATABASE_URL: 'postgres://sfsync@127.0.0.1:1/none' });
    expectOneLineFailure(result, /\[DB_UNREACHABLE\]/);
    expect(existsSync(file)).toBe(false);
    const rerun = await world.sfsync(['--config', file, 'init']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
  });
});

describe('reload --timeout', () => {
  it('a timeout that is not a positive number is refused before anything is queued', async () => {
    for (const timeout of ['abc', '0', '-5', '']) {
      const before = await snapshotDatabase(world.pool);
      expectOneLineFailure(await world.sfsync(['reload', 'Account', '--wait', '--timeout', timeout]), /--timeout must be a number of seconds.*\[USAGE\]/);
      expect(await snapshotDatabase(world.pool)).toBe(before);
    }
  });
});

describe('hosts of the unauthenticated endpoints', () => {
  it('emulator --host 0.0.0.0 serves, with one warning line naming the risk', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'sfsync.js'), 'emulator', '--host', '0.0.0.0', '--json'], {
      cwd: world.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve();
        });
        child.on('exit', () => reject(new Error(`emulator exited: ${stderr}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(JSON.parse(stdout.trim())).toMatchObject({ port: expect.any(Number) });
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/warning: --host 0\.0\.0\.0 .*control API.*no authentication/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('emulator: a host this machine does not have is blamed, not the port', async () => {
    const result = await world.sfsync(['emulator', '--host', '203.0.113.5']);
    expectOneLineFailure(result, /could not listen on host 203\.0\.113\.5 \(EADDRNOTAVAIL\).*--host.*\[EMULATOR_FAILED\]/);
    expect(result.stderr).not.toMatch(/--port/);
  });

  it('metrics: the same for metrics.host, and a warning when it is not loopback', async () => {
    await expect(startMetricsServer(world.pool, '203.0.113.5', 0)).rejects.toThrow(/host 203\.0\.113\.5 \(EADDRNOTAVAIL\).*metrics\.host/);
    const probe = await startMetricsServer(world.pool, '127.0.0.1', 0);
    const port = Number(new URL(probe.url).port);
    await probe.stop();
    const warnings: string[] = [];
    const config = loadConfig({ env: {}, cwd: world.dir, overrides: { metrics: { host: '0.0.0.0', port } } });
    const logger = { info: () => undefined, warn: (_fields: unknown, message: string) => warnings.push(message) };
    const running = await metricsServer.start({ config, pool: world.pool, logger } as unknown as EngineContext);
    await running.stop();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/metrics\.host 0\.0\.0\.0 .*without authentication/);
  });
});
