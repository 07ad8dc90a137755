/**
 * Conflict race with a push in flight: Postgres changes a record, the push
 * claims the change and its sObject Collections call is held on the way to
 * Salesforce (a proxy in front of the emulator, released by the test); a
 * Salesforce user changes the same fields meanwhile, and the poll decides
 * `salesforce_wins` while the push is still 'claimed'. The held call then
 * lands with the Postgres values. Salesforce's values must end on both sides
 * (the apply queued a re-send), each decision recorded once, nothing left
 * open and nothing bouncing afterwards; a local change made after the
 * decision still wins over the re-send; and when the change in flight fails
 * for good, the re-send still goes, so retrying the failed change later does
 * not undo the decision.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, sfConnection, waitLoaded } from './inbound-helpers.js';

/** One field per kind of value the re-send must reproduce exactly (a checkbox cannot conflict: both sides could only set the same value). */
const FIELDS = [
  { name: 'Count__c', type: 'int' },
  { name: 'Amount__c', type: 'currency', precision: 18, scale: 2 },
  { name: 'Day__c', type: 'date' },
  { name: 'At__c', type: 'datetime' },
  { name: 'Clock__c', type: 'time' },
  { name: 'Note__c', type: 'textarea', length: 32000 },
] as const;
const FIELD_NAMES = ['Name', ...FIELDS.map((f) => f.name)];

const BASE = {
  Name: 'Base',
  Count__c: 1,
  Amount__c: 10.5,
  Day__c: '2024-01-01',
  At__c: '2024-01-01T01:01:01.111Z',
  Clock__c: '01:01:01.111Z',
  Note__c: 'base note',
};
/** The Postgres edit (columns). */
const PG = {
  name: 'PG',
  count__c: 2,
  amount__c: 20.25,
  day__c: '2024-02-02',
  at__c: '2024-02-02 02:02:02.222',
  clock__c: '02:02:02.222',
  note__c: 'pg "note"\nline 2',
};
/** The Salesforce edit, and how each side reads it back. */
const SF = {
  Name: 'SF',
  Count__c: 3,
  Amount__c: 30.75,
  Day__c: '2024-03-03',
  At__c: '2024-03-03T03:03:03.333Z',
  Clock__c: '03:03:03.333Z',
  Note__c: "sf 'note' — ü",
};
const SF_AS_PG = {
  name: 'SF',
  count__c: 3,
  amount__c: 30.75,
  day__c: '2024-03-03',
  at__c: '2024-03-03 03:03:03.333',
  clock__c: '03:03:03.333',
  note__c: SF.Note__c,
};
const SF_AS_SF = {
  Name: 'SF',
  Count__c: 3,
  Amount__c: 30.75,
  Day__c: '2024-03-03',
  At__c: '2024-03-03T03:03:03.333+0000',
  Clock__c: '03:03:03.333Z',
  Note__c: SF.Note__c,
};

const isCollectionsPatch = (method: string, path: string) => method === 'PATCH' && path.startsWith('/services/data/') && path.includes('/composite/sobjects');

let h: SyncHarness;
let proxy: HoldingProxy;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness({
    // The engine is sent through the proxy by the connection's login_url, which the config's login URL no longer matches.
    config: { salesforce: { trustStoredLoginUrl: true } },
    emulator: {
      schema: {
        fields: { Account: FIELDS.map((f) => ({ ...f })) },
        validationRules: { Account: [{ name: 'NoNegativeCount', errorWhen: 'Count__c < 0', message: 'Count must not be negative' }] },
      },
    },
  });
  proxy = await startHoldingProxy(h.emulator.url);
  mappingId = await mapObject(h, { sobject: 'Account', fields: FIELD_NAMES, mode: 'read_write' });
  // The engine reaches Salesforce through the proxy; the test's own Salesforce user does not.
  await h.pool.query('update sfsync.connections set login_url = $2 where id = $1', [h.connectionId, proxy.url]);
  await h.startEngine();
  await waitLoaded(h, mappingId);
});
afterAll(async () => {
  proxy?.release(); // a held call would keep the push job (and the engine's stop) waiting
  try {
    await h?.stop();
  } finally {
    await proxy?.stop();
  }
});

const COLUMNS = 'name, count__c, amount__c::float8 as amount__c, day__c::text as day__c, at__c::text as at__c, clock__c::text as clock__c, note__c';

async function pgRow(sfid: string): Promise<Record<string, unknown> | undefined> {
  return (await h.pool.query(`select ${COLUMNS} from salesforce.account where sfid = $1`, [sfid])).rows[0];
}

let user: Awaited<ReturnType<typeof sfConnection>> | undefined;

/** A Salesforce user other than sfsync, straight to the emulator (not through the proxy). */
async function salesforceUser(): Promise<NonNullable<typeof user>> {
  return (user ??= await sfConnection(h));
}

/** The record as that user reads it. */
async function sfRecord(sfid: string): Promise<Record<string, unknown>> {
  const conn = await salesforceUser();
  const r = (await conn.sobject('Account').retrieve(sfid)) as Record<string, unknown>;
  return Object.fromEntries([...FIELD_NAMES, 'SystemModstamp'].map((f) => [f, r[f]]));
}

async function outboxOf(sfid: string) {
  const { rows } = await h.pool.query(
    'select o.id::text, o.state::text, o.op::text, o.changed, o.old from sfsync.outbox o join salesforce.account t on t.id = o.record_id where t.sfid = $1 and o.mapping_id = $2 order by o.id',
    [sfid, mappingId],
  );
  return rows as Array<{ id: string; state: string; op: string; changed: Record<string, unknown>; old: Record<string, unknown> | null }>;
}

async function conflictsOf(sfid: string) {
  return (await h.pool.query('select field, decision from sfsync.conflicts where sfid = $1 order by field', [sfid])).rows;
}

/** Until nothing is open for the record and both sides hold the expected values. */
async function settled(sfid: string, inSalesforce: Record<string, unknown>, inPostgres: Record<string, unknown>): Promise<void> {
  await waitFor(
    async () => {
      expect((await outboxOf(sfid)).filter((o) => o.state === 'new' || o.state === 'claimed')).toEqual([]);
      const { SystemModstamp: _stamp, ...sf } = await sfRecord(sfid);
      expect(sf).toEqual(inSalesforce);
      expect(await pgRow(sfid)).toEqual(inPostgres);
      return true;
    },
    { timeoutMs: 15_000, what: 'both sides settled on the expected values, nothing open' },
  );
}

/** Until Postgres has the record's Salesforce `stamp` (its poll applied); returns the row's xmin then. */
async function stampApplied(sfid: string, stamp: unknown): Promise<string> {
  return waitFor(
    async () => {
      const { rows } = await h.pool.query(
        `select xmin::text from salesforce.account where sfid = $1 and to_char(systemmodstamp, 'YYYY-MM-DD"T"HH24:MI:SS.MS"+0000"') = $2`,
        [sfid, stamp],
      );
      return rows[0]?.xmin as string | undefined;
    },
    { what: `Salesforce stamp ${String(stamp)} polled` },
  );
}

/** Until the watermark passes now: a poll that read Salesforce after this moment has been applied. */
async function nextPoll(): Promise<void> {
  const { rows } = await h.pool.query<{ now: Date }>('select now()');
  const since = rows[0]!.now;
  await waitFor(async () => (await h.pool.query('select 1 from sfsync.mappings where id = $1 and watermark > $2', [mappingId, since])).rowCount === 1, {
    timeoutMs: 10_000,
    what: 'a poll after now',
  });
}

/**
 * A record changed on both sides while the Postgres change is in flight:
 * returns once the poll has decided (the held call not yet released).
 */
async function raceInFlight(): Promise<{ sfid: string; inFlight: string }> {
  const conn = await salesforceUser();
  const sfid = ((await conn.sobject('Account').create(BASE)) as { id: string }).id;
  await waitFor(async () => (await pgRow(sfid))?.['name'] === 'Base', { what: 'the base record in Postgres' });
  proxy.holdNext(isCollectionsPatch);
  await h.pool.query(
    'update salesforce.account set name = $2, count__c = $3, amount__c = $4, day__c = $5, at__c = $6, clock__c = $7, note__c = $8 where sfid = $1',
    [sfid, PG.name, PG.count__c, PG.amount__c, PG.day__c, PG.at__c, PG.clock__c, PG.note__c],
  );
  await waitFor(() => proxy.holding, { what: 'the push held in flight' });
  const [claimed] = await outboxOf(sfid);
  expect(claimed).toMatchObject({ state: 'claimed', op: 'update' });
  await conn.sobject('Account').update({ Id: sfid, ...SF });
  // The poll decides while the call is held: every field both sides changed goes to Salesforce.
  await waitFor(async () => (await conflictsOf(sfid)).length === FIELD_NAMES.length, { timeoutMs: 10_000, what: 'the conflict decisions' });
  expect(await pgRow(sfid)).toEqual(SF_AS_PG);
  expect(proxy.holding).toBe(true);
  return { sfid, inFlight: claimed!.id };
}

describe('conflict with a push in flight', () => {
  it('sends the winning Salesforce values again after the push lands', async () => {
    const { sfid, inFlight } = await raceInFlight();
    const patchesBefore = proxy.count(isCollectionsPatch); // the held call included
    proxy.release();
    // The held call lands first (Salesforce briefly has the Postgres values), then the re-send.
    await waitFor(async () => (await outboxOf(sfid)).find((o) => o.id === inFlight)?.state === 'success', { what: 'the held push written back' });
    await settled(sfid, SF_AS_SF, SF_AS_PG);
    const stamp = (await sfRecord(sfid))['SystemModstamp'];
    expect(await conflictsOf(sfid)).toEqual(FIELD_NAMES.map((field) => ({ field, decision: 'salesforce' })).sort((a, b) => (a.field < b.field ? -1 : 1)));

    // The re-send: one update after the held change, the Postgres values as its base.
    const outbox = await outboxOf(sfid);
    expect(outbox.map((o) => [o.op, o.state])).toEqual([
      ['update', 'success'],
      ['update', 'success'],
    ]);
    const [held, resend] = outbox;
    expect(Object.keys(resend!.changed).sort()).toEqual([...FIELD_NAMES].sort());
    expect(resend!.old).toEqual(held!.changed);
    expect(proxy.count(isCollectionsPatch)).toBe(patchesBefore + 1);

    // Nothing bounces: the re-sent values come back as an echo (only the stamps change),
    // never captured, never a conflict, and once the stamps are in, polls leave the row alone.
    const xmin = await stampApplied(sfid, stamp);
    await nextPoll();
    await nextPoll();
    expect((await sfRecord(sfid))['SystemModstamp']).toBe(stamp);
    expect((await h.pool.query('select xmin::text from salesforce.account where sfid = $1', [sfid])).rows[0].xmin).toBe(xmin);
    expect(await outboxOf(sfid)).toEqual(outbox);
    expect(await conflictsOf(sfid)).toHaveLength(FIELD_NAMES.length);
    expect(proxy.count(isCollectionsPatch)).toBe(patchesBefore + 1);
  });

  it('lets a local change made after the decision win over the re-send', async () => {
    const { sfid } = await raceInFlight();
    await h.pool.query("update salesforce.account set name = 'Later', count__c = 4 where sfid = $1", [sfid]);
    // The record is polled again while the later change waits behind the re-send (an edit
    // of an unmapped field moves its stamp): Salesforce still has the values the later
    // change started from, so nothing new is decided and the later values stay.
    await (await salesforceUser()).sobject('Account').update({ Id: sfid, Phone: '555-0100' });
    await stampApplied(sfid, (await sfRecord(sfid))['SystemModstamp']);
    expect(await conflictsOf(sfid)).toHaveLength(FIELD_NAMES.length);
    expect(await pgRow(sfid)).toMatchObject({ name: 'Later', count__c: 4 });
    expect(proxy.holding).toBe(true);
    proxy.release();
    const expectedSf = { ...SF_AS_SF, Name: 'Later', Count__c: 4 };
    const expectedPg = { ...SF_AS_PG, name: 'Later', count__c: 4 };
    await settled(sfid, expectedSf, expectedPg);
    await nextPoll();
    const { SystemModstamp: _stamp, ...sf } = await sfRecord(sfid);
    expect(sf).toEqual(expectedSf);
    expect(await pgRow(sfid)).toEqual(expectedPg);
    expect(await conflictsOf(sfid)).toHaveLength(FIELD_NAMES.length);
  });

  it('re-sends even when the change in flight fails for good, so retrying that change keeps the decision', async () => {
    const conn = await salesforceUser();
    const sfid = ((await conn.sobject('Account').create(BASE)) as { id: string }).id;
    await waitFor(async () => (await pgRow(sfid))?.['name'] === 'Base', { what: 'the base record in Postgres' });
    proxy.holdNext(isCollectionsPatch);
    await h.pool.query("update salesforce.account set name = 'PG', count__c = -1 where sfid = $1", [sfid]);
    await waitFor(() => proxy.holding, { what: 'the push held in flight' });
    const [claimed] = await outboxOf(sfid);
    await conn.sobject('Account').update({ Id: sfid, Name: 'SF' });
    await waitFor(async () => (await conflictsOf(sfid)).length === 1, { timeoutMs: 10_000, what: 'the decision on Name' });
    proxy.release();
    // Salesforce refuses the held change (validation rule); the re-send of Name goes anyway.
    await waitFor(async () => (await outboxOf(sfid)).find((o) => o.id === claimed!.id)?.state === 'failed', { what: 'the held change failed' });
    // The app fixes the count; the operator then retries the failed change, whose fields
    // were all sent since by later changes (the re-send and the fix): nothing of it is sent.
    await h.pool.query('update salesforce.account set count__c = 2 where sfid = $1', [sfid]);
    const expectedSf = { ...BASE, Name: 'SF', Count__c: 2, At__c: '2024-01-01T01:01:01.111+0000' };
    const expectedPg = {
      name: 'SF',
      count__c: 2,
      amount__c: 10.5,
      day__c: '2024-01-01',
      at__c: '2024-01-01 01:01:01.111',
      clock__c: '01:01:01.111',
      note__c: 'base note',
    };
    await settled(sfid, expectedSf, expectedPg);
    await h.pool.query('select sfsync.retry_failed(null, array[$1::bigint])', [claimed!.id]);
    await waitFor(async () => (await outboxOf(sfid)).find((o) => o.id === claimed!.id)?.state === 'success', { what: 'the retried change done' });
    await settled(sfid, expectedSf, expectedPg);
    await nextPoll();
    await settled(sfid, expectedSf, expectedPg);
    expect(await conflictsOf(sfid)).toEqual([{ field: 'Name', decision: 'salesforce' }]);
  });
});

type Match = (method: string, path: string) => boolean;

/** An HTTP proxy in front of the emulator that can hold one request until released. */
interface HoldingProxy {
  url: string;
  /** Hold the next request matching `match` (before it reaches the emulator) until {@link release}. */
  holdNext(match: Match): void;
  /** Whether a request is held now. */
  readonly holding: boolean;
  /** Let every held request go on to the emulator. */
  release(): void;
  /** How many requests matching `match` arrived so far (held ones included). */
  count(match: Match): number;
  stop(): Promise<void>;
}

/**
 * Requests are forwarded as they are; the OAuth token reply names the proxy
 * as instance URL, so a client that logs in through it stays on it.
 */
async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const upstream = new URL(target);
  const seen: Array<{ method: string; path: string }> = [];
  let pending: Match | undefined;
  const held: Array<() => void> = [];
  let url = '';
  const forward = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    seen.push({ method, path });
    if (pending?.(method, path)) {
      pending = undefined;
      await new Promise<void>((resolve) => held.push(resolve));
    }
    const reply = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method, path, headers: { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' } },
        (r) => {
          const parts: Buffer[] = [];
          r.on('data', (c: Buffer) => parts.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(parts) }));
          r.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(Buffer.concat(chunks));
    });
    const body = path.startsWith('/services/oauth2/token') ? Buffer.from(reply.body.toString('utf8').split(target).join(url)) : reply.body;
    const { 'content-length': _l, 'transfer-encoding': _t, connection: _c, 'keep-alive': _k, ...headers } = reply.headers;
    res.writeHead(reply.status, { ...headers, 'content-length': body.length });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    forward(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const release = () => {
    for (const go of held.splice(0)) go();
  };
  return {
    url,
    holdNext(match) {
      pending = match;
    },
    get holding() {
      return held.length > 0;
    },
    release,
    count: (match) => seen.filter((s) => match(s.method, s.path)).length,
    async stop() {
      release();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
