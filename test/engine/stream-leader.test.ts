/**
 * One stream subscriber per connection across processes: the advisory-lock
 * leader streams; when it stops, the other engine takes over; when the
 * leader's database connection is killed, leadership is re-acquired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_LOCK_CLASS } from '../../src/db/locks.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

describe.each(['cometd', 'pubsub'] as const)('over %s', (streamingTransport) => {
  let h: SyncHarness;
  let mappingId: string;

  beforeAll(async () => {
    h = await startSyncHarness({ streamingTransport });
    mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name'], pollInterval: '1 hour', streaming: 'auto' });
    await h.startEngine();
    await waitLoaded(h, mappingId);
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function leaderPid(): Promise<number | undefined> {
    const { rows } = await h.pool.query<{ pid: number }>(
      "select pid from pg_locks where locktype = 'advisory' and granted and classid = $1::int::oid and objid = $2::int::oid",
      [STREAM_LOCK_CLASS, h.connectionId],
    );
    return rows[0]?.pid;
  }

  async function expectStreaming(name: string): Promise<void> {
    const conn = await sfConnection(h);
    const { id } = (await conn.sobject('Account').create({ Name: name })) as { id: string };
    await waitFor(() => rowOf(h, 'account', id), { timeoutMs: 5000, what: `${name} to stream in` });
  }

  describe('stream leadership', () => {
    it('has one leader; the other engine takes over when it stops', async () => {
      const first = await waitFor(leaderPid, { what: 'a leader' });
      const second = await h.startEngine();
      await expectStreaming('with two engines');
      expect(await leaderPid()).toBe(first);
      const firstEngine = h.engines[0]!;
      await firstEngine.stop();
      h.engines.splice(0, 1);
      const next = await waitFor(
        async () => {
          const pid = await leaderPid();
          return pid !== undefined && pid !== first ? pid : undefined;
        },
        { timeoutMs: 5000, what: 'the second engine to take over' },
      );
      expect(next).toBeGreaterThan(0);
      expect(h.engine).toBe(second);
      await waitFor(async () => (await h.pool.query("select 1 from sfsync.stream_state where updated_at > now() - interval '5 seconds'")).rowCount !== 0, {
        what: 're-subscription',
      });
      await expectStreaming('after takeover');
    });

    it("re-acquires leadership when the leader's connection is killed", async () => {
      const pid = await waitFor(leaderPid, { what: 'a leader' });
      await h.pool.query('select pg_terminate_backend($1)', [pid]);
      await waitFor(
        async () => {
          const now = await leaderPid();
          return now !== undefined && now !== pid;
        },
        { timeoutMs: 8000, what: 'a new leader connection' },
      );
      await waitFor(async () => (await h.pool.query("select 1 from sfsync.stream_state where updated_at > now() - interval '3 seconds'")).rowCount !== 0, {
        what: 're-subscription',
      });
      await expectStreaming('after the connection was killed');
    });
  });
});
