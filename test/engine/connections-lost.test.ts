/**
 * Every Postgres connection of a running engine is killed at once (what a
 * failover or a DBA's pg_terminate_backend does): the engine reconnects by
 * itself, and changes made afterwards still sync both ways, including one made
 * while the engine had no connection at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness();
  const sf = await h.salesforce();
  const plan = await withClient(h.pool, (c) =>
    applyMapping(c, sf, {
      connectionId: h.connectionId,
      sobject: 'Account',
      fields: ['Name', 'Phone'],
      mode: 'read_write',
      streaming: 'off',
      pollInterval: '1 second',
    }),
  );
  mappingId = plan.mappingId;
  await h.startEngine();
  await waitLoaded(h, mappingId);
});
afterAll(() => h?.stop());

/** The engine's backends: application_name 'sfsync…'; the test's own pool is 'sfsync test'. */
const ENGINE_BACKENDS = `datname = current_database() and pid <> pg_backend_pid() and application_name like 'sfsync%' and application_name <> 'sfsync test'`;

/** Terminate every backend of the engine. */
async function killEngineConnections(): Promise<number> {
  const { rows } = await h.pool.query<{ pid: number }>(`select pid from pg_stat_activity where ${ENGINE_BACKENDS}`);
  await h.pool.query('select pg_terminate_backend(pid) from unnest($1::int[]) pid', [rows.map((r) => r.pid)]);
  return rows.length;
}

const syncedSfid = (name: string) =>
  waitFor(
    async () =>
      (await h.pool.query<{ sfid: string }>(`select sfid from salesforce.account where name = $1 and _sfsync_state = 'synced' and sfid is not null`, [name]))
        .rows[0]?.sfid,
    { what: `"${name}" to reach Salesforce`, timeoutMs: 20_000 },
  );

describe('an engine whose Postgres connections are all killed', () => {
  it('reconnects and keeps syncing both ways', async () => {
    await h.pool.query(`insert into salesforce.account (name) values ('Before the kill')`);
    await syncedSfid('Before the kill');

    // The app's change is committed in the same moment the engine loses every connection.
    const [killed] = await Promise.all([killEngineConnections(), h.pool.query(`insert into salesforce.account (name) values ('During the kill')`)]);
    expect(killed, 'the engine held connections to kill').toBeGreaterThan(0);
    const during = await syncedSfid('During the kill');
    expect(h.emulator.org.latest(during)?.values.Name).toBe('During the kill');

    // The outbox listener is back (without it only the sweep would find changes), and polls bring Salesforce's edits.
    await waitFor(
      async () => ((await h.pool.query(`select 1 from pg_stat_activity where ${ENGINE_BACKENDS} and query like 'listen "sfsync:outbox"%'`)).rowCount ?? 0) > 0,
      { what: 'the outbox listener to listen again' },
    );
    await h.pool.query(`insert into salesforce.account (name) values ('After the kill')`);
    await syncedSfid('After the kill');
    const conn = await sfConnection(h);
    await conn.sobject('Account').update({ Id: during, Phone: '555-0142' });
    await waitFor(async () => (await rowOf(h, 'account', during))?.['phone'] === '555-0142', { what: "Salesforce's edit to arrive", timeoutMs: 20_000 });
    expect(Number((await h.pool.query(`select count(*) from sfsync.outbox where mapping_id = $1 and state = 'failed'`, [mappingId])).rows[0].count)).toBe(0);
  }, 60_000);
});
