/**
 * Streaming-accelerated sync: with polls an hour apart, a Salesforce change
 * reaches Postgres within seconds through CDC (Account) or sfsync's own
 * PushTopic (an object without CDC); a restart resumes from the stored
 * replayId; a replayId no longer retained falls back to polling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

describe.each(['cometd', 'pubsub'] as const)('streaming over %s', (streamingTransport) => {
  let h: SyncHarness;
  let account: string;
  let widget: string;

  beforeAll(async () => {
    h = await startSyncHarness({
      streamingTransport,
      ...(process.env.SFSYNC_TEST_LOG ? { config: { logLevel: 'debug' as const } } : {}),
      emulator: { schema: { objects: [{ name: 'Widget__c', cdcEnabled: false, fields: [{ name: 'Size__c', type: 'double' }] }] } },
    });
    account = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Industry'], pollInterval: '1 hour', streaming: 'auto' });
    widget = await mapObject(h, { sobject: 'Widget__c', fields: ['Name', 'Size__c'], pollInterval: '1 hour', streaming: 'auto' });
    await h.startEngine();
    await waitLoaded(h, account);
    await waitLoaded(h, widget);
    // The subscriber writes a stream_state row when a subscribe succeeds.
    await waitFor(async () => (await channelSubscribers('/data/AccountChangeEvent')) > 0 && (await channelSubscribers('/topic/sfsync_Widget__c')) > 0, {
      timeoutMs: 10_000,
      what: 'subscriptions',
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function channelSubscribers(channel: string): Promise<number> {
    const { rows } = await h.pool.query('select count(*)::int as n from sfsync.stream_state where channel = $1', [channel]);
    return rows[0].n;
  }

  async function replayIdOf(channel: string): Promise<number | null> {
    const { rows } = await h.pool.query<{ replay_id: string | null }>('select replay_id::text from sfsync.stream_state where channel = $1', [channel]);
    return rows[0]?.replay_id ? Number(rows[0].replay_id) : null;
  }

  describe('streaming', () => {
    it('brings a CDC change without waiting for the poll interval', async () => {
      const conn = await sfConnection(h);
      const created = (await conn.sobject('Account').create({ Name: 'Streamed' })) as { id: string };
      const started = Date.now();
      await waitFor(() => rowOf(h, 'account', created.id), { timeoutMs: 5000, what: 'the CDC-triggered poll' });
      expect(Date.now() - started).toBeLessThan(5000);
      await waitFor(async () => (await replayIdOf('/data/AccountChangeEvent')) !== null, { what: 'replayId committed' });
      // The CDC channel is on the chosen transport: a Pub/Sub Subscribe stream, or none.
      expect(h.emulator.pubsub!.subscribeCount).toBe(streamingTransport === 'pubsub' ? 1 : 0);
    });

    it('creates a PushTopic for an object without CDC and streams through it', async () => {
      const conn = await sfConnection(h);
      const topics = await conn.query<{ Name: string; NotifyForFields: string }>("SELECT Name, NotifyForFields FROM PushTopic WHERE Name = 'sfsync_Widget__c'");
      expect(topics.records[0]?.NotifyForFields).toBe('All');
      const created = (await conn.sobject('Widget__c').create({ Name: 'W1', Size__c: 2.5 })) as { id: string };
      const row = await waitFor(() => rowOf(h, 'widget__c', created.id), { timeoutMs: 5000, what: 'the PushTopic-triggered poll' });
      expect(row['size__c']).toBe(2.5);
    });

    it('resumes replay from stream_state after a restart', async () => {
      const before = await replayIdOf('/data/AccountChangeEvent');
      expect(before).not.toBeNull();
      await h.engine!.stop();
      h.engines.splice(0);
      const conn = await sfConnection(h);
      const created = (await conn.sobject('Account').create({ Name: 'While stopped' })) as { id: string };
      await h.startEngine();
      // Only a replayed event can advance the committed replayId past `before` (the interval poll is an hour away).
      await waitFor(async () => ((await replayIdOf('/data/AccountChangeEvent')) ?? 0) > before!, { timeoutMs: 8000, what: 'the replayed event to commit' });
      await waitFor(() => rowOf(h, 'account', created.id), { timeoutMs: 5000, what: 'the change made while stopped' });
    });

    it('falls back to polling when the stored replayId is no longer retained', async () => {
      await h.engine!.stop();
      h.engines.splice(0);
      // An id the emulator never retained: Salesforce answers 400::The replayId {…} you provided was invalid.
      await h.pool.query("update sfsync.stream_state set replay_id = 999999999 where channel = '/data/AccountChangeEvent'");
      const conn = await sfConnection(h);
      const created = (await conn.sobject('Account').create({ Name: 'After expiry' })) as { id: string };
      await h.startEngine();
      await waitFor(() => rowOf(h, 'account', created.id), { timeoutMs: 8000, what: 'the fallback poll' });
      // Subscribed again from -1: a new change streams.
      const next = (await conn.sobject('Account').create({ Name: 'After fallback' })) as { id: string };
      await waitFor(() => rowOf(h, 'account', next.id), { timeoutMs: 5000, what: 'streaming after the fallback' });
    });
  });
});
