/**
 * Streaming survives an expired session: the Bayeux connect fails with
 * `401::…`, the subscriber refreshes the token through the SalesforceClient,
 * reconfigures the headers, re-handshakes and re-subscribes; changes keep
 * arriving without waiting for the (hour-long) poll interval.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { rowOf, sfConnection, startStreamingHarness } from './inbound-helpers.js';

describe.each(['cometd', 'pubsub'] as const)('over %s', (streamingTransport) => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startStreamingHarness(streamingTransport);
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe('stream recovery', () => {
    it('refreshes an expired token and keeps streaming', async () => {
      const subscribedAt = (await h.pool.query('select max(updated_at) as t from sfsync.stream_state')).rows[0].t as Date;
      const res = await fetch(`${h.emulator.url}/__emulator/sessions/expire`, { method: 'POST' });
      if (!res.ok) throw new Error(`expire failed: ${res.status}`);
      const conn = await sfConnection(h);
      // The held connect delivers this event; the client's next connect carries the expired token.
      const first = (await conn.sobject('Account').create({ Name: 'After expiry 1' })) as { id: string };
      await waitFor(() => rowOf(h, 'account', first.id), { timeoutMs: 5000, what: 'the first change after expiry' });
      // Re-subscribed after the refresh and re-handshake (the row's updated_at moves).
      await waitFor(async () => ((await h.pool.query('select max(updated_at) as t from sfsync.stream_state')).rows[0].t as Date) > subscribedAt, {
        timeoutMs: 10_000,
        what: 'the re-subscription',
      });
      const second = (await conn.sobject('Account').create({ Name: 'After expiry 2' })) as { id: string };
      await waitFor(() => rowOf(h, 'account', second.id), { timeoutMs: 5000, what: 'the change after the token refresh' });
    });
  });
});
