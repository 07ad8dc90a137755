/**
 * Many orgs, one database, one engine: three emulated orgs, each with its own
 * user and connected app, their credentials sealed in `sfsync.connections`
 * (nothing in the config), the same object from each mapped into its own
 * schema. Changes flow both ways for every org, no record crosses to another
 * org's table or org, pausing one connection leaves the others running, and
 * an org whose password is wrong is marked `error` while the others sync on.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from 'salesforce-emulator';
import { loadSecretKey } from '../../src/config/secret-key.js';
import { storeSecrets } from '../../src/config/stored-secrets.js';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { openClient, readConnectionSettings } from '../../src/salesforce/open-client.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

const ORGS = ['acme', 'globex', 'initech'] as const;
type OrgName = (typeof ORGS)[number];
interface Org {
  emulator: RunningEmulator;
  login: { username: string; password: string; clientId: string; clientSecret: string };
  connectionId: string;
}

let h: SyncHarness;
let dir: string;
const orgs = {} as Record<OrgName, Org>;

async function storeConnection(name: OrgName, org: Omit<Org, 'connectionId'>, password: string): Promise<string> {
  const key = loadSecretKey(h.config.secretKeyFile, {});
  const secrets = storeSecrets(
    { name, loginUrl: org.emulator.url },
    { password: { value: password, ref: '' }, clientSecret: { value: org.login.clientSecret, ref: '' } },
    key,
  );
  const { rows } = await h.pool.query<{ id: string }>(
    `insert into sfsync.connections (name, login_url, auth_kind, username, client_id, secrets) values ($1, $2, 'password', $3, $4, $5)
     on conflict (name) do update set secrets = excluded.secrets returning id::text`,
    [name, org.emulator.url, org.login.username, org.login.clientId, JSON.stringify(secrets)],
  );
  return rows[0]!.id;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfsync-many-orgs-'));
  const keyFile = path.join(dir, 'secret.key');
  await writeFile(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  // The harness's own config credentials are the default emulator's: none of these orgs accepts them.
  h = await startSyncHarness({ config: { secretKeyFile: keyFile } });
  for (const name of ORGS) {
    const login = { username: `admin@${name}.test`, password: `${name}-pw`, clientId: `${name}-app`, clientSecret: `${name}-secret` };
    const emulator = await startEmulator({ ...login, port: 0, log: () => undefined });
    for (let i = 1; i <= 3; i++) emulator.org.create('Account', { Name: `${name} seeded ${i}` });
    const org = { emulator, login };
    orgs[name] = { ...org, connectionId: await storeConnection(name, org, login.password) };
    const sf = await openClient(h.config, await readConnectionSettings(h.pool, orgs[name].connectionId));
    await withClient(h.pool, (client) =>
      applyMapping(client, sf, {
        connectionId: orgs[name].connectionId,
        sobject: 'Account',
        fields: ['Name'],
        mode: 'read_write',
        schema: name,
        pollInterval: '1 second',
        driftDelay: '1 second',
        streaming: 'off',
      }),
    );
  }
  // initech's password changes in Salesforce after it was stored: its logins now fail.
  await storeConnection('initech', orgs.initech, 'an old password');
  await h.startEngine();
}, 120_000);
afterAll(async () => {
  await h?.stop();
  for (const org of Object.values(orgs)) await org.emulator.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const pgNames = async (name: OrgName) => (await h.pool.query<{ name: string }>(`select name from ${name}.account order by name`)).rows.map((r) => r.name);
const sfNames = (name: OrgName) =>
  orgs[name].emulator.org
    .list('Account')
    .map((r) => String(r.values.Name))
    .sort();

describe('three orgs in one database', () => {
  it('loads each org into its own table', async () => {
    for (const name of ['acme', 'globex'] as const) {
      await waitFor(async () => (await pgNames(name)).length === 3, { what: `${name}'s initial load`, timeoutMs: 60_000 });
      expect(await pgNames(name)).toEqual([1, 2, 3].map((i) => `${name} seeded ${i}`));
    }
  });

  it('marks the org whose login fails, with its error, and the others go on', async () => {
    const row = await waitFor(
      async () => (await h.pool.query(`select state, last_error from sfsync.connections where name = 'initech' and state = 'error'`)).rows[0],
      { what: 'initech marked error', timeoutMs: 30_000 },
    );
    expect(row.last_error).toMatchObject({ code: 'SF_AUTH_FAILED' });
    expect(row.last_error.message).toMatch(/login \(password\) at http:\/\/127\.0\.0\.1:\d+ failed/);
    expect(await pgNames('initech')).toEqual([]);
    const others = await h.pool.query(`select name, state from sfsync.connections where name in ('acme', 'globex') order by name`);
    expect(others.rows).toEqual([
      { name: 'acme', state: 'active' },
      { name: 'globex', state: 'active' },
    ]);
  });

  it('changes flow both ways for every org, and none crosses to another', async () => {
    for (const name of ['acme', 'globex'] as const) {
      await h.pool.query(`insert into ${name}.account (name) values ($1)`, [`${name} from postgres`]);
      orgs[name].emulator.org.create('Account', { Name: `${name} from salesforce` });
    }
    for (const name of ['acme', 'globex'] as const) {
      await waitFor(() => sfNames(name).includes(`${name} from postgres`), { what: `${name}'s insert in its org`, timeoutMs: 60_000 });
      await waitFor(async () => (await pgNames(name)).includes(`${name} from salesforce`), { what: `${name}'s record in its table`, timeoutMs: 60_000 });
    }
    for (const name of ['acme', 'globex'] as const) {
      expect(
        (await pgNames(name)).every((n) => n.startsWith(`${name} `)),
        `${name}.account`,
      ).toBe(true);
      expect(
        sfNames(name).every((n) => n.startsWith(`${name} `)),
        `${name}'s org`,
      ).toBe(true);
      expect(sfNames(name)).toEqual(await pgNames(name));
    }
    expect(sfNames('initech')).toEqual([1, 2, 3].map((i) => `initech seeded ${i}`));
    // Ids are distinct per emulated org: each table holds only its org's Ids.
    const acmeIds = new Set(orgs.acme.emulator.org.list('Account').map((r) => r.id));
    const globexSfids = (await h.pool.query<{ sfid: string }>('select sfid from globex.account')).rows.map((r) => r.sfid);
    expect(globexSfids.filter((id) => acmeIds.has(id))).toEqual([]);
  });

  it('pausing one connection leaves the others running', async () => {
    const paused = await h.pool.query<{ id: string }>(`select id::text from sfsync.pause_connection('acme') as id`);
    expect(paused.rows).toHaveLength(1);
    await h.pool.query(`insert into acme.account (name) values ('acme while paused')`);
    await h.pool.query(`insert into globex.account (name) values ('globex while acme paused')`);
    await waitFor(() => sfNames('globex').includes('globex while acme paused'), { what: 'globex keeps pushing', timeoutMs: 60_000 });
    const pending = await h.pool.query(`select connection, ops from sfsync.open_changes where connection = 'acme'`);
    expect(pending.rows).toEqual([{ connection: 'acme', ops: ['insert'] }]);
    expect(sfNames('acme')).not.toContain('acme while paused');
    await h.pool.query(`select sfsync.resume_connection('acme')`);
    await waitFor(() => sfNames('acme').includes('acme while paused'), { what: 'acme resumes', timeoutMs: 60_000 });
  });

  it('an unknown connection is refused naming the known ones', async () => {
    await expect(h.pool.query(`select sfsync.pause_connection('nope')`)).rejects.toThrow(
      /No connection named "nope" \(known: emulator, acme, globex, initech\)/,
    );
  });
});
