import { generateKeyPairSync, sign } from 'node:crypto';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { control, CREDS, failure, login, oauthConnection } from './core-helpers.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256' })}.${part(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}

describe('emulator auth', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('logs in over SOAP and reads identity', async () => {
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: '59.0' });
    const info = await conn.login(CREDS.username, CREDS.password);
    expect(conn.instanceUrl).toBe(emu.url);
    expect(info.organizationId).toBe(emu.org.orgId);
    const identity = await conn.identity();
    expect(identity.username).toBe(CREDS.username);
    await conn.logout();
    expect(emu.org.authenticate(`Bearer ${conn.accessToken ?? 'x'}`)).toBeUndefined();
  });

  it('refuses bad SOAP credentials with INVALID_LOGIN', async () => {
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: '59.0' });
    const error = await failure(conn.login(CREDS.username, 'wrong'));
    expect(error.message).toContain('INVALID_LOGIN');
  });

  it('logs in with the OAuth password grant', async () => {
    const conn = await login(emu);
    expect(conn.accessToken).toMatch(/^00D/);
    const res = await conn.query('SELECT Id FROM User');
    expect(res.totalSize).toBe(1);
  });

  it('refuses bad OAuth credentials with invalid_grant and a bad client with invalid_client_id', async () => {
    const bad = await failure(oauthConnection(emu).login(CREDS.username, 'wrong'));
    expect(bad.name).toBe('invalid_grant');
    expect(bad.message).toBe('authentication failure');
    const conn = new jsforce.Connection({
      loginUrl: emu.url,
      version: '59.0',
      oauth2: { clientId: 'nope', clientSecret: 'x', loginUrl: emu.url },
    });
    expect((await failure(conn.login(CREDS.username, CREDS.password))).name).toBe('invalid_client_id');
  });

  it('supports client_credentials', async () => {
    const conn = oauthConnection(emu);
    await conn.authorize({ grant_type: 'client_credentials' });
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
  });

  it('supports the JWT bearer grant and checks signature, iss and exp', async () => {
    const conn = oauthConnection(emu);
    const claims = { iss: CREDS.clientId, sub: CREDS.username, aud: emu.url, exp: Math.floor(Date.now() / 1000) + 300 };
    await conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt(claims) });
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
    const expired = jwt({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 });
    expect((await failure(conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: expired }))).name).toBe('invalid_grant');
    const wrongIss = jwt({ ...claims, iss: 'other' });
    expect((await failure(conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: wrongIss }))).name).toBe('invalid_client_id');
    const tampered = `${jwt(claims).slice(0, -4)}AAAA`;
    expect((await failure(conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: tampered }))).name).toBe('invalid_grant');
  });

  it('refreshes with a refresh_token after a 401', async () => {
    const { refresh_token: refreshToken } = await control<{ refresh_token: string }>(emu, 'POST', '/auth/refresh-token');
    const conn = new jsforce.Connection({
      version: '59.0',
      instanceUrl: emu.url,
      accessToken: 'expired-token',
      refreshToken,
      oauth2: { clientId: CREDS.clientId, clientSecret: CREDS.clientSecret, loginUrl: emu.url },
    });
    let refreshed = 0;
    conn.on('refresh', () => refreshed++);
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
    expect(refreshed).toBe(1);
    expect(conn.accessToken).not.toBe('expired-token');
  });

  it('exchanges an authorization code for tokens including a refresh_token', async () => {
    const { code } = await control<{ code: string }>(emu, 'POST', '/auth/code');
    const conn = new jsforce.Connection({
      version: '59.0',
      oauth2: { clientId: CREDS.clientId, clientSecret: CREDS.clientSecret, loginUrl: emu.url, redirectUri: 'http://localhost/cb' },
    });
    await conn.authorize(code);
    expect(conn.refreshToken).toBeTruthy();
    expect((await failure(conn.authorize(code))).name).toBe('invalid_grant');
  });

  it('re-logs in transparently after sessions expire (401 INVALID_SESSION_ID)', async () => {
    const conn = await login(emu);
    const before = conn.accessToken;
    await control(emu, 'POST', '/sessions/expire');
    const res = await fetch(`${emu.url}/services/data/v59.0/limits`, { headers: { Authorization: `Bearer ${before ?? ''}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
    expect(conn.accessToken).not.toBe(before);
  });

  it('expires tokens after the configured TTL', async () => {
    emu.org.setControls({ tokenTtlMs: 1 });
    try {
      const conn = await login(emu);
      const token = conn.accessToken ?? '';
      // A 1 ms lifetime has passed once the clock has moved on past the login (a fast machine can ask within it).
      const issuedBy = Date.now();
      await vi.waitUntil(() => Date.now() > issuedBy + 1, { timeout: 1000, interval: 1 });
      const res = await fetch(`${emu.url}/services/data/v59.0/limits`, { headers: { Authorization: `OAuth ${token}` } });
      expect(res.status).toBe(401);
    } finally {
      emu.org.setControls({ tokenTtlMs: 7_200_000 });
    }
  });

  it('revokes tokens and accepts both Bearer and OAuth headers', async () => {
    const conn = await login(emu);
    const token = conn.accessToken ?? '';
    for (const scheme of ['Bearer', 'OAuth']) {
      const res = await fetch(`${emu.url}/services/data/v59.0/limits`, { headers: { Authorization: `${scheme} ${token}` } });
      expect(res.status).toBe(200);
    }
    await conn.oauth2.revokeToken(token);
    const after = await fetch(`${emu.url}/services/data/v59.0/limits`, { headers: { Authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
  });
});
