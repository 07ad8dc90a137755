/**
 * A job that ends while Postgres is down: a push whose Salesforce call
 * returns during a restart cannot write back, fails, and graphile-worker must
 * record that failure once the server is back. Before, the worker's failJob
 * gave up at once on ECONNREFUSED, shut its pool down ("queue is in an
 * inconsistent state") and `sfsync start` exited. Runs on a server of its own.
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
import { waitLoaded } from './inbound-helpers.js';

let dir: string | undefined;
let port: number;
let server: RunningPostgres | undefined;
let h: SyncHarness | undefined;
let mappingId: string;
const logs: string[] = [];

const startServer = () => startEmbeddedPostgres({ dataDir: path.join(dir!, 'pg'), port, unsafeFast: true });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfsync-pg-down-'));
  port = await freePort();
  server = await startServer();
  await migrate(server.url);
  h = await startSyncHarness({ database: { name: 'postgres', url: server.url, serverUrl: server.url, drop: async () => undefined } });
  const sf = await h.salesforce();
  const plan = await withClient(h.pool, (c) => applyMapping(c, sf, { connectionId: h!.connectionId, sobject: 'Account', fields: ['Name'], mode: 'read_write', streaming: 'off', pollInterval: '1 second' }));
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

async function appQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client(server!.url);
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

describe('a job that ends while Postgres is down', () => {
  it('is recorded once the server is back, and the engine carries on', async () => {
    // Each Salesforce call takes 1.5 s: the push is still in its call when the server stops.
    h!.emulator.org.setControls({ latency: 1500 });
    await appQuery("insert into salesforce.account (name) values ('During the outage')");
    await waitFor(async () => (await appQuery("select 1 from sfsync.outbox where state = 'pending'")).rowCount === 1, { what: 'the push in flight', intervalMs: 50 });
    await server!.stop();
    // The call returns, the write-back fails, and the worker tries to record the job's failure.
    // Its failure is logged just before the worker records it (a connect that is refused at once: the server takes longer to start).
    await waitFor(() => logs.some((l) => l.includes('"failure":true') && l.includes('graphile-worker')), { what: 'the push job to fail', timeoutMs: 20_000, intervalMs: 10 });
    server = await startServer();
    h!.emulator.org.setControls({ latency: 0 });
    await appQuery("insert into salesforce.account (name) values ('After the outage')");
    await waitFor(async () => (await appQuery("select count(*)::int as n from salesforce.account where sfid is not null and _sfsync_state = 'synced'")).rows[0].n === 2, {
      what: 'both rows in Salesforce',
      timeoutMs: 40_000,
      intervalMs: 200,
    });
    expect(h!.emulator.org.list('Account').filter((r) => String(r.values.Name).endsWith('the outage'))).toHaveLength(2);
    expect(logs.some((l) => l.includes('inconsistent state'))).toBe(false);
  });
});
