/**
 * Both stream transports against the emulator, side by side: the same change
 * reaches the subscriber as the same event (replay id, changeOrigin for echo
 * suppression, changed field names — Pub/Sub's bitmaps decoded), a stored
 * replay id resumes after it, and one no longer retained is reported as
 * `invalid-replay` by both.
 */
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN, startEmulator, type RunningEmulator } from 'salesforce-emulator';
import { createStreamTransport } from '../../src/engine/create-stream-transport.js';
import type { StreamEvent, StreamTransport, StreamTransportKind, SubscribeFailure } from '../../src/engine/stream-transport.js';
import { waitFor } from '../support/wait-for.js';

const CHANNEL = '/data/AccountChangeEvent';
let emu: RunningEmulator;
let sfsync: jsforce.Connection;
let user: jsforce.Connection;

async function connect(client: string): Promise<jsforce.Connection> {
  const { username, password, clientId, clientSecret } = DEFAULT_LOGIN;
  const conn = new jsforce.Connection({ loginUrl: emu.url, version: '59.0', oauth2: { clientId, clientSecret, loginUrl: emu.url }, callOptions: { client } });
  await conn.login(username, password);
  return conn;
}

beforeAll(async () => {
  emu = await startEmulator({ log: () => undefined });
  sfsync = await connect('sfsync');
  user = await connect('someone-else');
});
afterAll(async () => {
  await emu?.stop();
});

interface Running {
  transport: StreamTransport;
  events: StreamEvent[];
  failures: Array<{ channel: string; failure: SubscribeFailure }>;
  subscribed: string[];
}

async function open(kind: StreamTransportKind, replayFrom: number): Promise<Running> {
  const running: Running = { transport: undefined as unknown as StreamTransport, events: [], failures: [], subscribed: [] };
  running.transport = createStreamTransport(kind, {
    instanceUrl: emu.url,
    apiVersion: '59.0',
    token: sfsync.accessToken!,
    orgId: emu.org.orgId,
    pubsubUrl: `http://${emu.pubsub!.address}`,
    refreshToken: async () => sfsync.accessToken!,
    onEvent: (event) => running.events.push(event),
    onSubscribeFailed: (channel, failure) => running.failures.push({ channel, failure }),
    onSubscribed: (channel) => running.subscribed.push(channel),
    log: () => undefined,
  });
  running.transport.want(CHANNEL, replayFrom);
  await running.transport.start();
  return running;
}

describe('CometD and Pub/Sub transports', () => {
  it('deliver the same change as the same event', async () => {
    const [cometd, pubsub] = await Promise.all([open('cometd', -1), open('pubsub', -1)]);
    try {
      await waitFor(() => cometd.subscribed.length > 0 && pubsub.subscribed.length > 0, { what: 'both subscriptions' });
      const { id } = (await sfsync.sobject('Account').create({ Name: 'Ours' })) as { id: string };
      await user.sobject('Account').update({ Id: id, Name: 'Theirs', Industry: 'Energy' });
      await waitFor(() => cometd.events.length === 2 && pubsub.events.length === 2, { what: 'two events on each transport' });
      // The payload's shape is each protocol's own (Avro sends every field, nulls for unchanged ones); both carry the header.
      const same = (e: StreamEvent) => ({ ...e, payload: undefined, changedFields: [...e.changedFields].sort() });
      expect(pubsub.events.map(same)).toEqual(cometd.events.map(same));
      for (const e of [...pubsub.events, ...cometd.events]) expect(e.payload).toHaveProperty('ChangeEventHeader');
      const [created, updated] = pubsub.events;
      expect(created!.changeOrigin).toMatch(/;client=sfsync$/);
      expect(updated!.changeOrigin).toMatch(/;client=someone-else$/);
      expect(updated!.changedFields).toEqual(expect.arrayContaining(['Name', 'Industry']));
      expect(updated!.replayId).toBeGreaterThan(created!.replayId!);
    } finally {
      await Promise.all([cometd.transport.stop(), pubsub.transport.stop()]);
    }
  });

  it('resume after a stored replay id, and report one no longer retained as invalid-replay', async () => {
    const all = await open('pubsub', -2);
    await waitFor(() => all.events.length >= 2, { what: 'the retained events' });
    await all.transport.stop();
    const first = all.events[0]!.replayId!;
    for (const kind of ['cometd', 'pubsub'] as const) {
      const resumed = await open(kind, first);
      try {
        await waitFor(() => resumed.events.length === all.events.length - 1, { what: `${kind}: the events after the first` });
        expect(resumed.events.map((e) => e.replayId)).toEqual(all.events.slice(1).map((e) => e.replayId));
      } finally {
        await resumed.transport.stop();
      }
      const lost = await open(kind, 999_999_999);
      try {
        await waitFor(() => lost.failures.length > 0, { what: `${kind}: the replay failure` });
        expect(lost.failures).toEqual([{ channel: CHANNEL, failure: 'invalid-replay' }]);
      } finally {
        await lost.transport.stop();
      }
    }
  });
});
