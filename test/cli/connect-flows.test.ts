/**
 * `sfsync connect` with the two flows that need no password: the JWT bearer
 * flow (an RSA key pair made here; the emulator trusts its public key) and
 * the refresh-token flow (the emulator's control API issues the token). Each
 * stores the connection with its auth kind and no secret in clear: with a
 * secret key, sealed copies that log in again by themselves.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliWorld, type CliWorld } from './cli-env.js';

let world: CliWorld;
let privateKey: string;

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  privateKey = pair.privateKey;
  world = await createCliWorld({ emulator: { jwtPublicKey: pair.publicKey } });
  expect((await world.sfsync(['migrate'])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** The stored connections, secrets columns included if any existed. */
async function stored(): Promise<Array<Record<string, unknown>>> {
  return (await world.pool.query('select * from sfsync.connections order by id')).rows;
}

describe('connect without a password', () => {
  it('logs in with the JWT bearer flow', async () => {
    const keyFile = path.join(world.dir, 'server.key');
    await writeFile(keyFile, privateKey, { mode: 0o600 });
    const result = await world.sfsync(['connect', '--json', '--auth', 'jwt', '--jwt-key-file', keyFile], { SFSYNC_PASSWORD: '', SFSYNC_CLIENT_SECRET: '' });
    expect(result.code, result.stderr).toBe(0);
    const rows = await stored();
    expect(rows.at(-1)).toMatchObject({ auth_kind: 'jwt', username: 'admin@sfsync.test' });
    expect(JSON.stringify(rows)).not.toContain('PRIVATE KEY');
  });

  it('rejects a key the org does not trust, in one line', async () => {
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const keyFile = path.join(world.dir, 'other.key');
    await writeFile(keyFile, other.privateKey, { mode: 0o600 });
    const result = await world.sfsync(['connect', '--auth', 'jwt', '--jwt-key-file', keyFile], { SFSYNC_PASSWORD: '', SFSYNC_CLIENT_SECRET: '' });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('logs in with a refresh token read from a file', async () => {
    const res = await fetch(`${world.emulator.url}/__emulator/auth/refresh-token`, { method: 'POST' });
    const { refresh_token: token } = (await res.json()) as { refresh_token: string };
    const tokenFile = path.join(world.dir, 'refresh-token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const result = await world.sfsync(['connect', '--json', '--auth', 'refresh_token', '--refresh-token', `@${tokenFile}`], { SFSYNC_PASSWORD: '' });
    expect(result.code, result.stderr).toBe(0);
    const rows = await stored();
    expect(rows.at(-1)).toMatchObject({ auth_kind: 'refresh_token' });
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe('connect with a secret key', () => {
  it('seals the JWT key and the refresh token, and logs in again with nothing but the key', async () => {
    const secretKey = randomBytes(32).toString('base64');
    const keyFile = path.join(world.dir, 'sealed-server.key');
    await writeFile(keyFile, privateKey, { mode: 0o600 });
    const res = await fetch(`${world.emulator.url}/__emulator/auth/refresh-token`, { method: 'POST' });
    const { refresh_token: token } = (await res.json()) as { refresh_token: string };
    const tokenFile = path.join(world.dir, 'sealed-refresh-token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const noCredentials = { SFSYNC_PASSWORD: '', SFSYNC_CLIENT_SECRET: '', SFSYNC_SECRET_KEY: secretKey };
    const jwt = await world.sfsync(['connect', '--json', '--name', 'jwt_org', '--auth', 'jwt', '--jwt-key-file', keyFile], noCredentials);
    expect(JSON.parse(jwt.stdout)).toMatchObject({ authKind: 'jwt', secrets: { jwtKey: 'sealed' } });
    const refresh = await world.sfsync(['connect', '--json', '--name', 'token_org', '--refresh-token', `@${tokenFile}`], noCredentials);
    expect(JSON.parse(refresh.stdout)).toMatchObject({ authKind: 'refresh_token', secrets: { refreshToken: 'sealed' } });
    const dump = JSON.stringify(await stored());
    expect(dump).not.toContain('PRIVATE KEY');
    expect(dump).not.toContain(token);
    // The key file and token file go away: the sealed copies are enough to log in.
    await rm(keyFile);
    await rm(tokenFile);
    const env = { ...noCredentials, SFSYNC_USERNAME: '', SFSYNC_CLIENT_ID: '', SFSYNC_JWT_KEY_FILE: '' };
    for (const name of ['jwt_org', 'token_org']) {
      const plan = await world.sfsync(['map', 'Account', '--fields', 'Name', '--connection', name, '--schema', name, '--plan'], env);
      expect(plan.code, plan.stderr).toBe(0);
    }
  });
});
