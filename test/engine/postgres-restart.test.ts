/**
 * Postgres restarts under a running engine (a DBA's restart, a minor-version
 * upgrade): the server stops (fast shutdown: every session ends) and starts
 * again on the same data directory and port. The engine keeps going by
 * itself: changes made after the restart sync both ways, and a job that ends
 * while the server is down is recorded once it is back (before, graphile-worker
 * gave up on the refused connect, shut its worker down and `sfsync start`
 * exited). Runs on a server of its own, so the shared test server is never stopped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres.js';
import { freePort } from '../../src/db/free-port.js';
import { migrate } from '../../src/db/migrate.js';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { sfConnection, waitLoaded } from './inbound-helpers.js';

let dir: string | undefined;
let port: number;
let server: RunningPostgres | undefined;
let h: SyncHarness | undefined;
let mappingId: string;
/** The engine's warnings and errors, one JSON line each. */
const logs: string[] = [];

const startServer = () => startEmbeddedPostgres({ dataDir: path.join(dir!, 'pg'), port, unsafeFast: true });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfsync-pg-restart-'));
  port = await freePort();
  server = await startServer();
  await migrate(server.url);
  h = await startSyncHarness({ database: { name: 'postgres', url: server.url, serverUrl: server.url, drop: async () => undefined } });
  const sf = await h.salesforce();
  const plan = await withClient(h.pool, (c) =>
    applyMapping(c, sf, {
      connectionId: h!.connectionId,
      sobject: 'Account',
      fields: ['Name', 'Phone'],
      mode: 'read_write',
      streaming: 'off',
      pollInterval: '1 second',
    }),
  );
  mappingId = plan.mappingId;
  await h.startEngine({ logger: pino({ level: 'warn' }, { write: (line: string) => void logs.push(line) }) });
  await waitLoaded(h, mappingId);
}, 60_000);

afterAll(async () => {
  try {
    await h?.stop();
  } finally {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
});

/** An app write on a connection of its own (the test pool's idle connections died with the server). */
async function appQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client(server!.url);
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

const syncedSfid = (name: string) =>
  waitFor(
    async () =>
      (await appQuery(`select sfid from salesforce.account where name = $1 and _sfsync_state = 'synced' and sfid is not null`, [name])).rows[0]?.sfid as
        string | undefined,
    { what: `"${name}" to reach Salesforce`, timeoutMs: 30_000, intervalMs: 100 },
  );

describe('Postgres restarted under a running engine', () => {
  it('keeps syncing both ways once the server is back', async () => {
    await appQuery(`insert into salesforce.account (name) values ('Before the restart')`);
    await syncedSfid('Before the restart');

    await server!.stop();
    server = await startServer();

    await appQuery(`insert into salesforce.account (name) values ('After the restart')`);
    const sfid = await syncedSfid('After the restart');
    expect(h!.emulator.org.latest(sfid)?.values.Name).toBe('After the restart');
    const conn = await sfConnection(h!);
    await conn.sobject('Account').update({ Id: sfid, Phone: '555-0177' });
    await waitFor(async () => (await appQuery('select phone from salesforce.account where sfid = $1', [sfid])).rows[0]?.phone === '555-0177', {
      what: "Salesforce's edit to arrive",
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect((await appQuery(`select count(*)::int as n from sfsync.outbox where mapping_id = $1 and state = 'failed'`, [mappingId])).rows[0].n).toBe(0);
  }, 90_000);

  it('records a job that ended while the server was down, and carries on', async () => {
    // Each Salesforce call takes 1.5 s: the push is still in its call when the server stops.
    h!.emulator.org.setControls({ latency: 1500 });
    await appQuery("insert into salesforce.account (name) values ('During the outage')");
    await waitFor(async () => (await appQuery("select 1 from sfsync.outbox where state = 'claimed'")).rowCount === 1, {
      what: 'the push in flight',
      intervalMs: 50,
    });
    await server!.stop();
    // The call returns, the write-back fails, and the push job fails: the worker logs it, then records it.
    // Restarting takes far longer than the refused connect: the record is attempted while the server is down.
    await waitFor(() => logs.some((l) => l.includes('"failure":true') && l.includes('graphile-worker')), {
      what: 'the push job to fail',
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    server = await startServer();
    h!.emulator.org.setControls({ latency: 0 });
    await appQuery("insert into salesforce.account (name) values ('After the outage')");
    for (const name of ['During the outage', 'After the outage']) await syncedSfid(name);
    expect(h!.emulator.org.list('Account').filter((r) => String(r.values.Name).endsWith('the outage'))).toHaveLength(2);
    expect(logs.some((l) => l.includes('inconsistent state'))).toBe(false);
  }, 90_000);
});
