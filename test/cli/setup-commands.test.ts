/**
 * init, migrate, connect, status: the commands before any mapping exists,
 * and their failures (bad config file, bad credentials, secrets on the
 * command line) — one line, non-zero exit, nothing stored.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliWorld, expectOneLineFailure, parseJson, snapshotDatabase, type CliWorld } from './cli-env.js';

let world: CliWorld;
beforeAll(async () => {
  world = await createCliWorld();
});
afterAll(async () => {
  await world?.close();
});

describe('init and migrate', () => {
  it('init writes a config file with defaults and no secrets, then migrates', async () => {
    const result = await world.sfsync(['init', '--json']);
    const out = parseJson<{ configFile: string; applied: string[] }>(result);
    expect(out.applied).toEqual([]); // the cloned database is already migrated
    const written = JSON.parse(readFileSync(path.join(world.dir, 'sfsync.config.json'), 'utf8'));
    expect(written.salesforce.apiVersion).toBe('59.0');
    expect(written.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(JSON.stringify(written)).not.toMatch(/sfsync-local-secret|"password"/);
    expectOneLineFailure(await world.sfsync(['init']), /already exists.*--force.*\[CONFIG_EXISTS\]/);
  });

  it('migrate --json reports nothing to apply on a migrated database', async () => {
    expect(parseJson(await world.sfsync(['migrate', '--json']))).toEqual({ applied: [] });
  });

  it('an invalid config file fails with one line naming the key', async () => {
    const file = path.join(world.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ poll: { bulkThreshold: 'nine' } }));
    expectOneLineFailure(await world.sfsync(['--config', file, 'status']), /"poll\.bulkThreshold".*\[CONFIG_INVALID\]/);
    writeFileSync(file, JSON.stringify({ salesforce: { colour: 'blue' } }));
    expectOneLineFailure(await world.sfsync(['--config', file, 'status']), /remove colour.*\[CONFIG_INVALID\]/);
    writeFileSync(file, '{ not json');
    expectOneLineFailure(await world.sfsync(['--config', file, 'status']), /not valid JSON.*\[CONFIG_INVALID\]/);
  });

  it('a command against an unmigrated database says to migrate', async () => {
    const url = new URL(world.db.url);
    url.pathname = '/postgres';
    expectOneLineFailure(await world.sfsync(['status'], { DATABASE_URL: url.toString() }), /run `sfsync migrate`.*\[SCHEMA_MISSING\]/);
  });
});

describe('connect', () => {
  it('bad credentials fail with one line and store nothing', async () => {
    const before = await snapshotDatabase(world.pool);
    const result = await world.sfsync(['connect', '--json'], { SFSYNC_PASSWORD: 'wrong' });
    expectOneLineFailure(result, /Salesforce login \(password\).*failed.*\[SF_AUTH_FAILED\]/);
    expect(await snapshotDatabase(world.pool)).toBe(before);
  });

  it('a secret on the command line is refused', async () => {
    expectOneLineFailure(await world.sfsync(['connect', '--password', 'sfsync']), /@\/path\/to\/file.*\[SECRET_ON_COMMAND_LINE\]/);
  });

  it('logs in and stores the connection without any secret', async () => {
    const secretFile = path.join(world.dir, 'password.txt');
    writeFileSync(secretFile, 'sfsync\n');
    const out = parseJson<{ id: number; name: string; authKind: string; username: string; apiLimit: number }>(
      await world.sfsync(['connect', '--json', '--password', `@${secretFile}`], { SFSYNC_PASSWORD: '' }),
    );
    expect(out).toMatchObject({ name: 'default', authKind: 'password', username: 'admin@sfsync.test' });
    expect(out.apiLimit).toBeGreaterThan(0);
    const { rows } = await world.pool.query('select * from sfsync.connections');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toMatch(/sfsync-local-secret|"sfsync"/);
    expect(rows[0].login_url).toBe(world.emulator.url);
  });

  it('client credentials work too, updating the same row', async () => {
    const out = parseJson<{ id: number; authKind: string }>(await world.sfsync(['connect', '--json', '--auth', 'client_credentials'], { SFSYNC_PASSWORD: '' }));
    expect(out.authKind).toBe('client_credentials');
    const { rows } = await world.pool.query('select count(*)::int as n from sfsync.connections');
    expect(rows[0].n).toBe(1);
  });
});

describe('status', () => {
  it('prints the API budget and an empty mapping list', async () => {
    const report = parseJson<{ mappings: unknown[]; connections: Array<{ connection: string; apiLimit: number }> }>(await world.sfsync(['status', '--json']));
    expect(report.mappings).toEqual([]);
    expect(report.connections[0]).toMatchObject({ connection: 'default' });
    expect(report.connections[0]!.apiLimit).toBeGreaterThan(0);
    const human = await world.sfsync(['status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/No mappings yet/);
    expect(human.stdout).toMatch(/API usage \(default\): \d+ of \d+ requests today/);
  });

  it('unknown commands and mappings fail with one line', async () => {
    expectOneLineFailure(await world.sfsync(['pause', 'NoSuchObject']), /No mapping named "NoSuchObject"/);
    expectOneLineFailure(await world.sfsync(['reload', 'NoSuchObject']), /No mapping named "NoSuchObject"/);
    expectOneLineFailure(await world.sfsync(['errors', 'retry']), /exactly one.*\[USAGE\]/);
    const unknown = await world.sfsync(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
