/**
 * The Bayeux wire protocol of `/cometd/NN.N`, message by message over plain
 * HTTP: error shapes for bad input, cookies, holding connects, timeouts,
 * unknown clients, auth failures and shutdown.
 */
import jsforce from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import type { MountedStreaming } from './streaming-helpers.js';
import { mountStreaming, waitFor } from './streaming-helpers.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Reply = Record<string, unknown>;

let emu: Emulator;
let token: string;
const mounts: MountedStreaming[] = [];

async function login(url = emu.url): Promise<jsforce.Connection> {
  const conn = new jsforce.Connection({
    loginUrl: url,
    version: '59.0',
    oauth2: { clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', loginUrl: url },
  });
  await conn.login('admin@sfsync.test', 'sfsync');
  return conn;
}

/** Tokens of the emulators started by {@link mount}, by URL (the main emulator uses `token`). */
const tokens = new Map<string, string>();

/** POST a raw body to `/cometd/59.0`. */
async function post(base: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/cometd/59.0`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json;charset=UTF-8', authorization: `Bearer ${tokens.get(base) ?? token}`, ...headers },
  });
  return { status: res.status, type: res.headers.get('content-type'), cookies: res.headers.getSetCookie(), replies: (await res.json()) as Reply[] };
}

/** Handshake and return the clientId and the cookie header to send back. */
async function handshake(base: string): Promise<{ clientId: string; cookie: string }> {
  const res = await post(base, JSON.stringify([{ id: 'h1', channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]));
  const cookie = res.cookies.map((c) => c.split(';')[0]).join('; ');
  return { clientId: String(res.replies[0]?.['clientId']), cookie };
}

function connect(base: string, session: { clientId: string; cookie: string }, id: string, advice?: object) {
  return post(
    base,
    JSON.stringify([{ id, channel: '/meta/connect', connectionType: 'long-polling', clientId: session.clientId, ...(advice ? { advice } : {}) }]),
    { cookie: session.cookie },
  );
}

async function mount(options: Parameters<typeof mountStreaming>[0]): Promise<MountedStreaming> {
  const m = await mountStreaming(options);
  mounts.push(m);
  tokens.set(m.url, m.token);
  return m;
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  token = (await login()).accessToken ?? '';
});

afterEach(async () => {
  await Promise.all(mounts.splice(0).map((m) => m.stop()));
});

afterAll(async () => {
  await emu?.stop();
});

describe('bad input', () => {
  it.each([
    ['not JSON', 'nope', /^400::The request body is not valid JSON/],
    ['an object', '{"channel":"/meta/handshake"}', /^400::The request body must be a JSON array/],
    ['an empty array', '[]', /^400::The request body must be a JSON array/],
    ['a message without channel', '[{"id":"9"}]', /^400::Every Bayeux message must be a JSON object with a string channel/],
    ['a number', '[1]', /^400::Every Bayeux message/],
  ])('answers %s with HTTP 200 and a Bayeux error', async (_name, body, error) => {
    const res = await post(emu.url, body);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json;charset=UTF-8');
    expect(res.replies).toHaveLength(1);
    expect(res.replies[0]).toMatchObject({ successful: false, error: expect.stringMatching(error) });
  });

  it.each([
    ['no version', '/cometd', /^400::API version in the URI is mandatory\. URI format: '\/cometd\/\d+\.0'$/],
    ['an empty version', '/cometd/', /^400::API version in the URI is mandatory\. URI format: '\/cometd\/\d+\.0'$/],
    ['a version that is not NN.N', '/cometd/latest', /^400::API version in the URI is mandatory\. URI format: '\/cometd\/\d+\.0'$/],
    [
      'a version below 37.0',
      '/cometd/36.0',
      /^400::Unsupported API version\. Only API versions '37\.0' and later are supported\. URI format: '\/cometd\/\d+\.0'$/,
    ],
  ])('answers a handshake to a URL with %s with HTTP 200 and a Bayeux error naming the URI format', async (_name, path, error) => {
    const res = await fetch(`${emu.url}${path}`, {
      method: 'POST',
      body: JSON.stringify([{ id: 'h1', channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]),
      headers: { 'content-type': 'application/json;charset=UTF-8', authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const replies = (await res.json()) as Reply[];
    expect(replies).toEqual([expect.objectContaining({ id: 'h1', channel: '/meta/handshake', successful: false, error: expect.stringMatching(error) })]);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('refuses publishing and unknown meta channels', async () => {
    const session = await handshake(emu.url);
    const res = await post(
      emu.url,
      JSON.stringify([
        { id: 'p', channel: '/topic/Whatever', clientId: session.clientId, data: {} },
        { id: 'm', channel: '/meta/nope', clientId: session.clientId },
      ]),
      { cookie: session.cookie },
    );
    expect(res.replies.map((r) => [r['id'], r['successful'], r['error']])).toEqual([
      ['p', false, '403::Publish denied {/topic/Whatever}'],
      ['m', false, '400::Unknown meta channel {/meta/nope}'],
    ]);
  });
});

describe('handshake and connect', () => {
  it('sets BAYEUX_BROWSER and sfdc-stream cookies and echoes the id', async () => {
    const res = await post(emu.url, JSON.stringify([{ id: 'abc', channel: '/meta/handshake', version: '1.0' }]));
    expect(res.replies[0]).toMatchObject({ id: 'abc', channel: '/meta/handshake', successful: true, version: '1.0', minimumVersion: '1.0' });
    expect(res.cookies.map((c) => c.split('=')[0])).toEqual(['BAYEUX_BROWSER', 'sfdc-stream']);
  });

  it('refuses a known client without the BAYEUX_BROWSER cookie', async () => {
    const session = await handshake(emu.url);
    const res = await connect(emu.url, { ...session, cookie: '' }, 'c1');
    expect(res.replies[0]?.['error']).toBe(`400::Client ${session.clientId} has established a session, but no BAYEUX_BROWSER cookie present`);
  });

  it('holds a connect until an event arrives, then sends the event and the reply together', async () => {
    const m = await mount({ connectTimeoutMs: 60_000 });
    const session = await handshake(m.url);
    const first = await connect(m.url, session, 'c1', { timeout: 0 });
    expect(first.replies).toEqual([
      { channel: '/meta/connect', id: 'c1', clientId: session.clientId, successful: true, advice: { interval: 0, timeout: 60_000, reconnect: 'retry' } },
    ]);
    const sub = await post(
      m.url,
      JSON.stringify([{ id: 's1', channel: '/meta/subscribe', clientId: session.clientId, subscription: '/data/AccountChangeEvent' }]),
      { cookie: session.cookie },
    );
    expect(sub.replies).toEqual([
      { channel: '/meta/subscribe', id: 's1', clientId: session.clientId, subscription: '/data/AccountChangeEvent', successful: true },
    ]);
    const held = connect(m.url, session, 'c2');
    await (await login(m.url)).sobject('Account').create({ Name: 'Held Co' });
    const res = await held;
    expect(res.replies.map((r) => r['channel'])).toEqual(['/data/AccountChangeEvent', '/meta/connect']);
    expect(res.replies[1]).toEqual({ channel: '/meta/connect', id: 'c2', clientId: session.clientId, successful: true });
  });

  it('answers a held connect with no events after connectTimeoutMs', async () => {
    const m = await mount({ connectTimeoutMs: 300 });
    const session = await handshake(m.url);
    await connect(m.url, session, 'c1');
    const started = Date.now();
    const res = await connect(m.url, session, 'c2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(res.replies).toEqual([{ channel: '/meta/connect', id: 'c2', clientId: session.clientId, successful: true }]);
  });

  it('answers held connects on stop() so the server can close at once', async () => {
    const m = await mount({ connectTimeoutMs: 60_000 });
    const session = await handshake(m.url);
    await connect(m.url, session, 'c1');
    const held = connect(m.url, session, 'c2');
    await waitFor(() => m.api.heldConnectCount === 1, 2000, 'the connect to be held');
    await m.api.stop();
    const res = await held;
    expect(res.replies[0]).toMatchObject({ id: 'c2', successful: true, advice: { reconnect: 'none' } });
  });
});

describe('clients and auth', () => {
  it('answers an unknown client with 403 and handshake advice', async () => {
    const res = await connect(emu.url, { clientId: 'nobody', cookie: 'BAYEUX_BROWSER=x' }, 'c9');
    expect(res.replies).toEqual([
      { channel: '/meta/connect', id: 'c9', advice: { interval: 0, reconnect: 'handshake' }, error: '403::Unknown client', successful: false },
    ]);
  });

  it('drops a client that does not come back within clientTimeoutMs', async () => {
    const m = await mount({ clientTimeoutMs: 200 });
    const session = await handshake(m.url);
    expect(m.api.clientCount).toBe(1);
    await waitFor(() => m.api.clientCount === 0, 3000, 'the idle client to be dropped');
    const res = await connect(m.url, session, 'late');
    expect(res.replies[0]?.['error']).toBe('403::Unknown client');
  });

  it('refuses connect with a revoked token (reconnect none) and without a header', async () => {
    const other = await login();
    const session = await handshake(emu.url);
    await other.logout();
    const revoked = await post(emu.url, JSON.stringify([{ id: 'r', channel: '/meta/connect', connectionType: 'long-polling', clientId: session.clientId }]), {
      cookie: session.cookie,
      authorization: `Bearer ${other.accessToken ?? 'gone'}`,
    });
    expect(revoked.replies[0]).toMatchObject({ error: '401::Authentication invalid', advice: { reconnect: 'none', interval: 0 }, successful: false });
    const res = await fetch(`${emu.url}/cometd/59.0`, {
      method: 'POST',
      body: JSON.stringify([{ id: 'n', channel: '/meta/connect', clientId: session.clientId }]),
    });
    expect(((await res.json()) as Reply[])[0]?.['error']).toBe('401::Request requires authentication');
  });

  it('unsubscribes (echoing the subscription) and disconnects', async () => {
    const session = await handshake(emu.url);
    const res = await post(
      emu.url,
      JSON.stringify([
        { id: 's', channel: '/meta/subscribe', clientId: session.clientId, subscription: '/data/ContactChangeEvent' },
        { id: 'u', channel: '/meta/unsubscribe', clientId: session.clientId, subscription: '/data/ContactChangeEvent' },
        { id: 'd', channel: '/meta/disconnect', clientId: session.clientId },
        { id: 'x', channel: '/meta/subscribe', clientId: session.clientId, subscription: '/data/ContactChangeEvent' },
      ]),
      { cookie: session.cookie },
    );
    expect(res.replies.map((r) => [r['id'], r['successful'], r['subscription'] ?? r['error']])).toEqual([
      ['s', true, '/data/ContactChangeEvent'],
      ['u', true, '/data/ContactChangeEvent'],
      ['d', true, undefined],
      ['x', false, '403::Unknown client'],
    ]);
  });
});
