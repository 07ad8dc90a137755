/**
 * Streaming survives `403::Unknown client`: the emulator forgets every CometD
 * client (as Salesforce does after a server-side timeout or a pod move); the
 * subscriber's next request is refused, it re-handshakes, re-subscribes from
 * its last replayId, and a later Salesforce change still arrives through
 * streaming — the poll interval is an hour, so only an event can bring it.
 * Over the Pub/Sub API the same for a stream ended with UNAVAILABLE (a
 * dropped connection): it is reopened after the last event it received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { rowOf, sfConnection, startStreamingHarness } from './inbound-helpers.js';

let h: SyncHarness;

/** The newest stream_state.updated_at (moves on every successful subscribe). */
async function lastSubscribed(): Promise<Date> {
  return (await h.pool.query('select max(updated_at) as t from sfsync.stream_state')).rows[0].t as Date;
}

beforeAll(async () => {
  h = await startStreamingHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('stream after 403::Unknown client', () => {
  it('re-handshakes, re-subscribes and keeps delivering changes', async () => {
    const conn = await sfConnection(h);
    const before = (await conn.sobject('Account').create({ Name: 'Before drop' })) as { id: string };
    await waitFor(() => rowOf(h, 'account', before.id), { timeoutMs: 5000, what: 'a change before the drop' });
    const subscribedAt = await lastSubscribed();

    const streaming = h.emulator.streaming;
    if (!streaming) throw new Error('the emulator has no Streaming API');
    expect(streaming.dropClients()).toBe(1);
    // Made while the client is (most likely) still unknown: the re-subscribe replays from
    // the last replayId the client saw, so this event is not lost either.
    const during = (await conn.sobject('Account').create({ Name: 'During drop' })) as { id: string };
    // The held /meta/connect returns 403::Unknown client; the client re-handshakes and
    // the handshake listener re-subscribes (the row's updated_at moves).
    await waitFor(async () => (await lastSubscribed()) > subscribedAt, { timeoutMs: 15_000, what: 'the re-subscription' });
    await waitFor(() => streaming.clientCount === 1, { timeoutMs: 5000, what: 'one live CometD client' });

    const after = (await conn.sobject('Account').create({ Name: 'After drop' })) as { id: string };
    await waitFor(() => rowOf(h, 'account', after.id), { timeoutMs: 5000, what: 'the change after the drop (via streaming)' });
    expect(await rowOf(h, 'account', during.id)).toBeDefined();
  });
});

describe('Pub/Sub stream ended with UNAVAILABLE', () => {
  let p: SyncHarness;
  beforeAll(async () => {
    p = await startStreamingHarness('pubsub');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('reopens the stream after its last event and keeps delivering changes', async () => {
    const conn = await sfConnection(p);
    const before = (await conn.sobject('Account').create({ Name: 'Before Pub/Sub drop' })) as { id: string };
    await waitFor(() => rowOf(p, 'account', before.id), { timeoutMs: 5000, what: 'a change before the drop' });
    const pubsub = p.emulator.pubsub;
    if (!pubsub) throw new Error('the emulator has no Pub/Sub API');
    expect(pubsub.dropStreams()).toBe(1);
    // Made while the stream is (most likely) closed: it reopens after the last event it received, so this one comes too.
    const during = (await conn.sobject('Account').create({ Name: 'During Pub/Sub drop' })) as { id: string };
    await waitFor(() => rowOf(p, 'account', during.id), { timeoutMs: 15_000, what: 'the change made during the drop (via streaming)' });
    await waitFor(() => pubsub.subscribeCount === 1, { timeoutMs: 5000, what: 'one open Subscribe stream' });
    const after = (await conn.sobject('Account').create({ Name: 'After Pub/Sub drop' })) as { id: string };
    await waitFor(() => rowOf(p, 'account', after.id), { timeoutMs: 5000, what: 'the change after the drop (via streaming)' });
  });
});
