/**
 * The Streaming API through the real clients: cometd 9 + cometd-nodejs-client
 * for Bayeux, jsforce for the writes that produce events.
 */
import jsforce from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { StreamingClient, waitFor } from './streaming-helpers.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Data = { event: { replayId: number; type?: string }; payload?: Record<string, unknown>; sobject?: Record<string, unknown> };

let emu: Emulator;
let conn: jsforce.Connection;
const clients: StreamingClient[] = [];

async function connectClient(url = emu.url): Promise<StreamingClient> {
  const client = new StreamingClient({ url, token: conn.accessToken ?? '' });
  clients.push(client);
  const reply = await client.handshake();
  expect(reply.successful).toBe(true);
  return client;
}

const dataOf = (m: { data?: unknown }): Data => m.data as Data;
const headerOf = (m: { data?: unknown }): Record<string, unknown> => (dataOf(m).payload?.['ChangeEventHeader'] ?? {}) as Record<string, unknown>;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    schema: {
      objects: [
        {
          name: 'Order_Event__e',
          fields: [
            { name: 'Amount__c', type: 'double' },
            { name: 'Note__c', type: 'string' },
          ],
        },
      ],
    },
  });
  conn = new jsforce.Connection({
    loginUrl: emu.url,
    version: '59.0',
    oauth2: { clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', loginUrl: emu.url },
    callOptions: { client: 'sfsync' },
  });
  await conn.login('admin@sfsync.test', 'sfsync');
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  emu.org.controls.dropEventRate = 0;
});

afterAll(async () => {
  await emu?.stop();
});

describe('handshake and connect', () => {
  it('advertises replay and long-polling, and answers the first connect at once with advice', async () => {
    const client = await connectClient();
    const handshake = client.meta.find((m) => m.channel === '/meta/handshake');
    expect(handshake?.ext).toEqual({ replay: true, 'payload.format': true });
    expect(handshake?.supportedConnectionTypes).toEqual(['long-polling']);
    expect(handshake?.clientId).toMatch(/^[0-9a-z]{27}$/);
    const connect = await waitFor(() => client.meta.find((m) => m.channel === '/meta/connect'), 5000, 'first connect');
    expect(connect.successful).toBe(true);
    expect(connect.advice).toEqual({ interval: 0, timeout: 110_000, reconnect: 'retry' });
  });

  it('denies a handshake with a bad token (403 + failureReason, reconnect none)', async () => {
    const client = new StreamingClient({ url: emu.url, token: 'not-a-token' });
    clients.push(client);
    const reply = await client.handshake();
    expect(reply.successful).toBe(false);
    expect(reply.error).toBe('403::Handshake denied');
    expect(reply.ext).toEqual({ sfdc: { failureReason: '401::Authentication invalid' } });
    await waitFor(() => client.cometd.isDisconnected(), 5000, 'client to give up (reconnect none)');
  });
});

describe('Change Data Capture', () => {
  it('delivers create, update and delete with the Sforce-Call-Options client in changeOrigin', async () => {
    const client = await connectClient();
    expect((await client.subscribe('/data/AccountChangeEvent', -1)).successful).toBe(true);
    const created = await conn.sobject('Account').create({ Name: 'CDC Co', Industry: 'Banking' });
    if (!created.success) throw new Error('create failed');
    await conn.sobject('Account').update({ Id: created.id, Phone: '555-0100' });
    await conn.sobject('Account').destroy(created.id);
    const events = (await client.waitForEvents('/data/AccountChangeEvent', 3)).filter((m) => (headerOf(m)['recordIds'] as string[])[0] === created.id);
    expect(events.map((m) => headerOf(m)['changeType'])).toEqual(['CREATE', 'UPDATE', 'DELETE']);
    const [create, update, del] = events.map(dataOf);
    expect(create?.payload).toMatchObject({ Name: 'CDC Co', Industry: 'Banking' });
    expect(create?.payload).not.toHaveProperty('SystemModstamp');
    expect(create?.payload).not.toHaveProperty('IsDeleted');
    expect(headerOf(events[0]!)).toMatchObject({ entityName: 'Account', commitUser: expect.stringMatching(/^005/) });
    expect(String(headerOf(events[0]!)['changeOrigin'])).toMatch(/^com\/salesforce\/api\/rest\/59\.0;client=sfsync$/);
    expect(update?.payload).toMatchObject({ Phone: '555-0100' });
    expect(update?.payload).not.toHaveProperty('Name');
    expect(headerOf(events[1]!)['changedFields']).toContain('Phone');
    expect(Object.keys(del?.payload ?? {})).toEqual(['ChangeEventHeader']);
    const ids = events.map((m) => dataOf(m).event.replayId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('undeletes through POST /__emulator/undelete: CDC UNDELETE over cometd, same Id, queryAll and query see it again', async () => {
    const client = await connectClient();
    await client.subscribe('/data/LeadChangeEvent');
    const created = await conn.sobject('Lead').create({ LastName: 'Lazarus', Company: 'Phoenix Ltd' });
    if (!created.success) throw new Error('create failed');
    await conn.sobject('Lead').destroy(created.id);
    const deletedStamp = (await conn.query<{ SystemModstamp: string }>(`SELECT SystemModstamp FROM Lead WHERE Id = '${created.id}'`, { scanAll: true }))
      .records[0]?.SystemModstamp;
    expect((await conn.query(`SELECT Id FROM Lead WHERE Id = '${created.id}'`)).totalSize).toBe(0);
    const res = await fetch(`${emu.url}/__emulator/undelete`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ids: [created.id, created.id.slice(0, 15)] }),
    });
    const results = (await res.json()) as Array<{ success: boolean; id?: string; errors?: Array<{ statusCode: string }> }>;
    expect(res.status).toBe(200);
    expect(results[0]).toEqual({ success: true, id: created.id });
    // The same record again (15-character form): no longer in the recycle bin, refused on its own.
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'UNDELETE_FAILED' }] });
    const events = await client.waitForEvents('/data/LeadChangeEvent', 3);
    expect(events.map((m) => headerOf(m)['changeType'])).toEqual(['CREATE', 'DELETE', 'UNDELETE']);
    expect(headerOf(events[2]!)['recordIds']).toEqual([created.id]);
    expect(dataOf(events[2]!).payload).toMatchObject({ LastName: 'Lazarus', Company: 'Phoenix Ltd' });
    const live = await conn.query<{ Id: string; IsDeleted: boolean; SystemModstamp: string }>(
      `SELECT Id, IsDeleted, SystemModstamp FROM Lead WHERE Id = '${created.id}'`,
      { scanAll: true },
    );
    expect(live.records[0]).toMatchObject({ Id: created.id, IsDeleted: false });
    expect(Date.parse(live.records[0]!.SystemModstamp.replace('+0000', 'Z'))).toBeGreaterThanOrEqual(Date.parse(String(deletedStamp).replace('+0000', 'Z')));
    expect((await conn.query(`SELECT Id FROM Lead WHERE Id = '${created.id}'`)).totalSize).toBe(1);
  });

  it('/data/ChangeEvents carries every CDC-enabled object', async () => {
    const client = await connectClient();
    expect((await client.subscribe('/data/ChangeEvents')).successful).toBe(true);
    await conn.sobject('Account').create({ Name: 'All Co' });
    await conn.sobject('Contact').create({ LastName: 'Allison' });
    const events = await client.waitForEvents('/data/ChangeEvents', 2);
    expect(events.map((m) => headerOf(m)['entityName'])).toEqual(['Account', 'Contact']);
  });
});

describe('PushTopic', () => {
  it('honours the WHERE clause, NotifyForFields=Referenced and delete payloads', async () => {
    await conn.sobject('PushTopic').create({
      Name: 'BankAccounts',
      Query: "SELECT Id, Name, Industry FROM Account WHERE Industry = 'Banking'",
      ApiVersion: 59.0,
    });
    const client = await connectClient();
    expect((await client.subscribe('/topic/BankAccounts')).successful).toBe(true);
    const bank = await conn.sobject('Account').create({ Name: 'Bank One', Industry: 'Banking' });
    await conn.sobject('Account').create({ Name: 'Farm One', Industry: 'Agriculture' });
    if (!bank.success) throw new Error('create failed');
    await conn.sobject('Account').update({ Id: bank.id, Phone: '1' }); // not referenced: no notification
    await conn.sobject('Account').update({ Id: bank.id, Name: 'Bank Two' });
    await conn.sobject('Account').destroy(bank.id);
    const events = (await client.waitForEvents('/topic/BankAccounts', 3)).map(dataOf);
    expect(events.map((d) => d.event.type)).toEqual(['created', 'updated', 'deleted']);
    expect(events[0]?.sobject).toEqual({ Id: bank.id, Name: 'Bank One', Industry: 'Banking' });
    expect(events[1]?.sobject).toEqual({ Id: bank.id, Name: 'Bank Two', Industry: 'Banking' });
    expect(events[2]?.sobject).toEqual({ Id: bank.id });
    expect(events[0]?.event).toMatchObject({ createdDate: expect.stringMatching(/Z$/) });
  });

  it('NotifyForFields=All fires on any change; an inactive topic never fires', async () => {
    await conn.sobject('PushTopic').create({ Name: 'AllAccounts', Query: 'SELECT Id, Name FROM Account', ApiVersion: 59.0, NotifyForFields: 'All' });
    await conn.sobject('PushTopic').create({ Name: 'Quiet', Query: 'SELECT Id, Name FROM Account', ApiVersion: 59.0, IsActive: false });
    const client = await connectClient();
    await client.subscribe('/topic/AllAccounts');
    expect((await client.subscribe('/topic/Quiet')).successful).toBe(true);
    const acc = await conn.sobject('Account').create({ Name: 'Any Co' });
    if (!acc.success) throw new Error('create failed');
    await conn.sobject('Account').update({ Id: acc.id, Phone: '2' });
    const events = await client.waitForEvents('/topic/AllAccounts', 2);
    expect(events.map((m) => dataOf(m).event.type)).toEqual(['created', 'updated']);
    expect(client.received('/topic/Quiet')).toEqual([]);
  });

  it('NotifyForFields=Where watches only WHERE fields; NotifyForOperationCreate=false skips creates', async () => {
    await conn.sobject('PushTopic').create({
      Name: 'HotAccounts',
      Query: "SELECT Id, Name FROM Account WHERE Rating = 'Hot'",
      ApiVersion: 59.0,
      NotifyForFields: 'Where',
      NotifyForOperationCreate: false,
    });
    const client = await connectClient();
    await client.subscribe('/topic/HotAccounts');
    const acc = await conn.sobject('Account').create({ Name: 'Hot Co', Rating: 'Hot' }); // create: not notified
    if (!acc.success) throw new Error('create failed');
    await conn.sobject('Account').update({ Id: acc.id, Name: 'Hot Co 2' }); // Name is not in WHERE
    await conn.sobject('Account').update({ Id: acc.id, Rating: 'Warm' }); // WHERE field changed, no longer matches
    await conn.sobject('Account').update({ Id: acc.id, Rating: 'Hot' }); // WHERE field changed and matches
    const events = await client.waitForEvents('/topic/HotAccounts', 1);
    expect(events.map(dataOf).map((d) => [d.event.type, d.sobject])).toEqual([['updated', { Id: acc.id, Name: 'Hot Co 2' }]]);
  });

  it('refuses a channel that does not exist', async () => {
    const client = await connectClient();
    const reply = await client.subscribe('/topic/Nope');
    expect(reply.successful).toBe(false);
    expect(reply.error).toBe("400::The channel you requested to subscribe to doesn't exist {/topic/Nope}");
  });
});

describe('platform events', () => {
  it('delivers published events with CreatedDate, CreatedById and EventUuid', async () => {
    const client = await connectClient();
    expect((await client.subscribe('/event/Order_Event__e')).successful).toBe(true);
    await conn.sobject('Order_Event__e').create({ Amount__c: 12.5, Note__c: 'first' });
    const [event] = await client.waitForEvents('/event/Order_Event__e', 1);
    const data = event!.data as { payload: Record<string, unknown>; event: Record<string, unknown> };
    expect(data.payload).toMatchObject({ Amount__c: 12.5, Note__c: 'first', CreatedById: expect.stringMatching(/^005/) });
    expect(data.payload['CreatedDate']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(data.event).toMatchObject({ replayId: expect.any(Number), EventUuid: expect.any(String) });
  });
});

describe('replay', () => {
  async function threeLeadEvents(): Promise<number[]> {
    const client = await connectClient();
    await client.subscribe('/data/LeadChangeEvent');
    for (const name of ['L1', 'L2', 'L3']) await conn.sobject('Lead').create({ LastName: name, Company: 'Replay Co' });
    const events = await client.waitForEvents('/data/LeadChangeEvent', 3);
    return events.map((m) => dataOf(m).event.replayId);
  }

  it('-2 replays everything retained, N replays what follows N, -1 only new events', async () => {
    const ids = await threeLeadEvents();
    const all = await connectClient();
    expect((await all.subscribe('/data/LeadChangeEvent', -2)).successful).toBe(true);
    const fromFirst = await connectClient();
    expect((await fromFirst.subscribe('/data/LeadChangeEvent', ids[0])).successful).toBe(true);
    const fresh = await connectClient();
    await fresh.subscribe('/data/LeadChangeEvent', -1);
    await conn.sobject('Lead').create({ LastName: 'L4', Company: 'Replay Co' });
    const replayIds = (c: StreamingClient): number[] => c.received('/data/LeadChangeEvent').map((m) => dataOf(m).event.replayId);
    await all.waitForEvents('/data/LeadChangeEvent', 4);
    await fromFirst.waitForEvents('/data/LeadChangeEvent', 3);
    await fresh.waitForEvents('/data/LeadChangeEvent', 1);
    const last = replayIds(fresh)[0]!;
    expect(replayIds(all).slice(-4)).toEqual([...ids, last]);
    expect(replayIds(fromFirst)).toEqual([ids[1], ids[2], last]);
    expect(replayIds(fresh)).toEqual([last]);
  });

  it('refuses a replayId never issued, or one past retention', async () => {
    const ids = await threeLeadEvents();
    const client = await connectClient();
    const never = await client.subscribe('/data/LeadChangeEvent', ids[2]! + 1_000_000);
    expect(never.successful).toBe(false);
    expect(never.error).toBe(
      `400::The replayId {${ids[2]! + 1_000_000}} you provided was invalid.  ` +
        'Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.',
    );
    const saved = emu.org.controls.cdcRetentionMs;
    const since = Date.now();
    emu.org.controls.cdcRetentionMs = 1;
    try {
      await waitFor(() => Date.now() > since + 5, 1000, 'retention to pass');
      const expired = await client.subscribe('/data/LeadChangeEvent', ids[2]);
      expect(expired.error).toMatch(/^400::The replayId \{\d+\} you provided was invalid\. {2}Please/);
    } finally {
      emu.org.controls.cdcRetentionMs = saved;
    }
  });

  it('refuses a replay map whose key is not the subscribed channel', async () => {
    const client = await connectClient();
    client.replayKey.set('/data/AccountChangeEvent', '/data/ContactChangeEvent');
    const reply = await client.subscribe('/data/AccountChangeEvent', -1);
    expect(reply.successful).toBe(false);
    expect(reply.error).toMatch(/^400::The replayId for channel \{\/data\/AccountChangeEvent\} wasn't found using the provided replay ID map/);
  });
});

describe('faults', () => {
  it('drops events at controls.dropEventRate: dropped events are never delivered nor replayed', async () => {
    const client = await connectClient();
    await client.subscribe('/data/OpportunityChangeEvent');
    emu.org.controls.dropEventRate = 1;
    await conn.sobject('Opportunity').create({ Name: 'Lost', StageName: 'Prospecting', CloseDate: '2024-01-01' });
    emu.org.controls.dropEventRate = 0;
    await conn.sobject('Opportunity').create({ Name: 'Kept', StageName: 'Prospecting', CloseDate: '2024-01-01' });
    const [only] = await client.waitForEvents('/data/OpportunityChangeEvent', 1);
    expect(dataOf(only!).payload?.['Name']).toBe('Kept');
    const replayer = await connectClient();
    await replayer.subscribe('/data/OpportunityChangeEvent', -2);
    const replayed = await replayer.waitForEvents('/data/OpportunityChangeEvent', 1);
    expect(replayed.map((m) => dataOf(m).payload?.['Name'])).not.toContain('Lost');
    expect(client.received('/data/OpportunityChangeEvent')).toHaveLength(1);
  });

  it('recovers from 403::Unknown client by re-handshaking and re-subscribing', async () => {
    const client = await connectClient();
    await client.subscribe('/data/CaseChangeEvent');
    await waitFor(() => emu.streaming?.clientCount === 1, 5000, 'one client');
    const res = await fetch(`${emu.url}/__emulator/streaming/drop-clients`, { method: 'POST' });
    expect(await res.json()).toEqual({ dropped: 1 });
    const unknown = await waitFor(() => client.meta.find((m) => m.error === '403::Unknown client'), 5000, '403::Unknown client');
    expect(unknown.advice).toMatchObject({ reconnect: 'handshake', interval: 0 });
    await waitFor(() => client.meta.filter((m) => m.channel === '/meta/handshake' && m.successful === true).length === 2, 5000, 're-handshake');
    await waitFor(() => client.meta.filter((m) => m.channel === '/meta/subscribe' && m.successful === true).length === 2, 5000, 're-subscribe');
    await conn.sobject('Case').create({ Subject: 'after recovery' });
    const [event] = await client.waitForEvents('/data/CaseChangeEvent', 1);
    expect(dataOf(event!).payload?.['Subject']).toBe('after recovery');
  });
});
