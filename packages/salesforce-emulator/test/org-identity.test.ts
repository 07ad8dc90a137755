/**
 * Two emulators started side by side are two orgs: each has its own
 * organization Id, its own login (username, password, connected app), and an
 * Id space the other never hands out.
 */
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { normalizeId } from '../src/org/ids.js';
import { failure } from './core-helpers.js';

const ORG_A = { username: 'alice@org-a.test', password: 'pass-a', clientId: 'app-a', clientSecret: 'secret-a' };
const ORG_B = { username: 'bob@org-b.test', password: 'pass-b', clientId: 'app-b', clientSecret: 'secret-b' };

function connection(emu: RunningEmulator, creds: typeof ORG_A): jsforce.Connection {
  return new jsforce.Connection({
    loginUrl: emu.url,
    version: '59.0',
    oauth2: { clientId: creds.clientId, clientSecret: creds.clientSecret, loginUrl: emu.url },
  });
}

describe('org identity per instance', () => {
  let a: RunningEmulator;
  let b: RunningEmulator;
  beforeAll(async () => {
    [a, b] = await Promise.all([startEmulator(ORG_A), startEmulator(ORG_B)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('gives each instance its own organization Id, reported by SOAP login and the identity URL', async () => {
    expect(a.org.orgId).not.toBe(b.org.orgId);
    for (const [emu, creds] of [
      [a, ORG_A],
      [b, ORG_B],
    ] as const) {
      expect(emu.org.orgId.startsWith('00D')).toBe(true);
      expect(normalizeId(emu.org.orgId.toLowerCase())).toBe(emu.org.orgId);
      const soap = new jsforce.Connection({ loginUrl: emu.url, version: '59.0' });
      const info = await soap.login(creds.username, creds.password);
      expect(info.organizationId).toBe(emu.org.orgId);
      const oauth = connection(emu, creds);
      await oauth.login(creds.username, creds.password);
      expect((await oauth.identity()).organization_id).toBe(emu.org.orgId);
    }
  });

  it("refuses one instance's login, connected app and session at the other", async () => {
    const soapAtB = new jsforce.Connection({ loginUrl: b.url, version: '59.0' });
    expect((await failure(soapAtB.login(ORG_A.username, ORG_A.password))).message).toContain('INVALID_LOGIN');
    // A's user with B's connected app, and B's user with A's connected app.
    const wrongUser = connection(b, { ...ORG_B, username: ORG_A.username, password: ORG_A.password });
    expect((await failure(wrongUser.login(ORG_A.username, ORG_A.password))).message).toMatch(/authentication failure/);
    const wrongApp = connection(b, { ...ORG_B, clientId: ORG_A.clientId, clientSecret: ORG_A.clientSecret });
    expect((await failure(wrongApp.login(ORG_B.username, ORG_B.password))).message).toMatch(/client identifier invalid/);
    // A's default login is not a login of either.
    expect((await failure(new jsforce.Connection({ loginUrl: a.url }).login('admin@sfsync.test', 'sfsync'))).message).toContain('INVALID_LOGIN');
    // A session token of A is no session of B.
    const atA = connection(a, ORG_A);
    await atA.login(ORG_A.username, ORG_A.password);
    const res = await fetch(`${b.url}/services/data/v59.0/limits`, { headers: { Authorization: `Bearer ${atA.accessToken ?? ''}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as Array<{ errorCode: string }>)[0]?.errorCode).toBe('INVALID_SESSION_ID');
  });

  it('never hands out the same record Id in both instances', async () => {
    const connA = connection(a, ORG_A);
    const connB = connection(b, ORG_B);
    await Promise.all([connA.login(ORG_A.username, ORG_A.password), connB.login(ORG_B.username, ORG_B.password)]);
    const records = Array.from({ length: 200 }, (_, i) => ({ Name: `Side by side ${i}` }));
    const [fromA, fromB] = await Promise.all([connA.sobject('Account').create(records), connB.sobject('Account').create(records)]);
    const idsA = fromA.map((r) => (r.success ? r.id : ''));
    const idsB = fromB.map((r) => (r.success ? r.id : ''));
    expect(idsA.every((id) => id.startsWith('001'))).toBe(true);
    expect(idsB.every((id) => id.startsWith('001'))).toBe(true);
    const inBoth = idsA.filter((id) => idsB.includes(id));
    expect(inBoth).toEqual([]);
    // The admin users (created first in each org) differ too.
    expect(a.org.adminUserId).not.toBe(b.org.adminUserId);
  });
});
