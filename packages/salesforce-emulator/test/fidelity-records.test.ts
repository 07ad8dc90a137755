/**
 * Record behaviour a sync engine trips on, through jsforce and CometD as a
 * client sees it: numbers stored as given, describe's non-nillable Id,
 * cascade delete and undelete of an Account's Contacts, Opportunities and
 * Cases (recycle bin, queryAll, their own CDC and PushTopic events), and
 * SOAP merge of Accounts, Contacts and Leads.
 */
import jsforce from 'jsforce';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { failure } from './core-helpers.js';
import { StreamingClient, waitFor } from './streaming-helpers.js';

let emu: RunningEmulator;
let conn: jsforce.Connection;
const clients: StreamingClient[] = [];

type Data = { event: { type?: string }; payload?: Record<string, unknown>; sobject?: Record<string, unknown> };
const headerOf = (m: { data?: unknown }) =>
  ((m.data as Data).payload?.['ChangeEventHeader'] ?? {}) as { changeType?: string; recordIds?: string[]; changedFields?: string[] };

async function subscribed(...channels: string[]): Promise<StreamingClient> {
  const client = new StreamingClient({ url: emu.url, token: conn.accessToken ?? '' });
  clients.push(client);
  expect((await client.handshake()).successful).toBe(true);
  for (const channel of channels) expect((await client.subscribe(channel, -1)).successful).toBe(true);
  return client;
}

async function create(object: string, values: Record<string, unknown>): Promise<string> {
  const result = await conn.sobject(object).create(values);
  if (!result.success) throw new Error(`create ${object} failed`);
  return result.id;
}

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(async () => {
  emu.org.reset();
  conn = new jsforce.Connection({
    loginUrl: emu.url,
    version: '59.0',
    oauth2: { clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', loginUrl: emu.url },
  });
  await conn.login('admin@sfsync.test', 'sfsync');
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});
afterAll(async () => {
  await emu?.stop();
});

describe('numbers', () => {
  it('stores a value set through the API as given, beyond the field scale (AnnualRevenue is currency(18, 0))', async () => {
    const id = await create('Account', { Name: 'Scale', AnnualRevenue: 7.25 });
    const [row] = (await conn.query<{ AnnualRevenue: number }>(`SELECT AnnualRevenue FROM Account WHERE Id = '${id}'`)).records;
    expect(row?.AnnualRevenue).toBe(7.25);
    await conn.sobject('Account').update({ Id: id, AnnualRevenue: '1234.5678' });
    expect(((await conn.sobject('Account').retrieve(id)) as { AnnualRevenue: number }).AnnualRevenue).toBe(1234.5678);
  });

  it('keeps the check on digits left of the decimal point, with Salesforce’s error', async () => {
    // currency(18, 0): 18 digits left of the point at most.
    const error = await failure(conn.sobject('Account').create({ Name: 'Too big', AnnualRevenue: 1e19 }));
    expect(error.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    expect(error.message).toBe('Annual Revenue: value outside of valid range on numeric field: 1.0E19');
    // Probability is percent(3, 0): 1000 has four digits left of the point, 999.75 three.
    const account = await create('Account', { Name: 'Opp parent' });
    const opp = { Name: 'O', CloseDate: '2025-01-01', StageName: 'Prospecting', AccountId: account };
    const tooMany = await failure(conn.sobject('Opportunity').create({ ...opp, Probability: 1000 }));
    expect(tooMany.message).toBe('Probability (%): value outside of valid range on numeric field: 1000.0');
    const ok = await conn.sobject('Opportunity').create({ ...opp, Probability: 999.75 });
    expect(ok.success).toBe(true);
  });
});

describe('change events', () => {
  it('sends a field set to null in a CDC UPDATE as null, and leaves empty fields out of a CREATE', async () => {
    const client = await subscribed('/data/AccountChangeEvent');
    const id = await create('Account', { Name: 'Nulled', Phone: '555-0100' });
    await conn.sobject('Account').update({ Id: id, Phone: null });
    const update = await waitFor(
      () => (client.events.get('/data/AccountChangeEvent') ?? []).find((m) => headerOf(m).changeType === 'UPDATE'),
      5000,
      'the UPDATE event',
    );
    const payload = (update.data as Data).payload ?? {};
    expect(headerOf(update).changedFields).toContain('Phone');
    expect(payload).toHaveProperty('Phone', null);
    const created = (client.events.get('/data/AccountChangeEvent') ?? []).find((m) => headerOf(m).changeType === 'CREATE');
    expect((created?.data as Data).payload).not.toHaveProperty('Website');
  });
});

describe('describe', () => {
  it('marks Id (and the audit fields) nillable false', async () => {
    const fields = (await conn.sobject('Account').describe()).fields;
    const nillable = (name: string) => fields.find((f) => f.name === name)?.nillable;
    expect(nillable('Id')).toBe(false);
    for (const name of ['CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp']) expect(nillable(name)).toBe(false);
    expect(nillable('Phone')).toBe(true);
  });

  it('marks the Contacts, Opportunities and Cases child relationships of Account cascadeDelete', async () => {
    const children = (await conn.sobject('Account').describe()).childRelationships;
    const cascades = children.filter((c) => c.cascadeDelete).map((c) => `${c.childSObject}.${c.field}`);
    expect(cascades.sort()).toEqual(['Case.AccountId', 'Contact.AccountId', 'Opportunity.AccountId']);
  });
});

describe('cascade delete', () => {
  it('deletes an Account’s Contacts, Opportunities and Cases with it, each with its own CDC and PushTopic delete event', async () => {
    await conn.sobject('PushTopic').create({ Name: 'Contacts', Query: 'SELECT Id, LastName FROM Contact', ApiVersion: 59.0, NotifyForFields: 'All' });
    const client = await subscribed('/data/ChangeEvents', '/topic/Contacts');
    const account = await create('Account', { Name: 'Parent' });
    const other = await create('Account', { Name: 'Other' });
    const contact = await create('Contact', { LastName: 'Child', AccountId: account });
    const elsewhere = await create('Contact', { LastName: 'Elsewhere', AccountId: other });
    const opportunity = await create('Opportunity', { Name: 'Deal', CloseDate: '2025-01-01', StageName: 'Prospecting', AccountId: account });
    const kase = await create('Case', { Subject: 'Help', AccountId: account });
    await conn.sobject('Account').destroy(account);

    const live = await conn.query<{ Id: string }>('SELECT Id FROM Contact');
    expect(live.records.map((r) => r.Id)).toEqual([elsewhere]);
    for (const [object, id] of [
      ['Contact', contact],
      ['Opportunity', opportunity],
      ['Case', kase],
    ] as const) {
      const all = await conn.query<{ Id: string; IsDeleted: boolean }>(`SELECT Id, IsDeleted FROM ${object} WHERE Id = '${id}'`, { scanAll: true });
      expect(all.records).toEqual([expect.objectContaining({ Id: id, IsDeleted: true })]);
      expect((await failure(conn.sobject(object).retrieve(id))).errorCode).toBe('ENTITY_IS_DELETED');
    }
    const deletes = await waitFor(
      () => {
        const found = (client.events.get('/data/ChangeEvents') ?? []).filter((m) => headerOf(m).changeType === 'DELETE');
        return found.length >= 4 ? found : undefined;
      },
      5000,
      'four DELETE change events',
    );
    expect(deletes.flatMap((m) => headerOf(m).recordIds ?? []).sort()).toEqual([account, contact, opportunity, kase].sort());
    const topic = await waitFor(
      () => (client.events.get('/topic/Contacts') ?? []).find((m) => (m.data as Data).event.type === 'deleted'),
      5000,
      'the PushTopic deleted event',
    );
    expect((topic.data as Data).sobject).toEqual({ Id: contact });
    // getDeleted lists the children too.
    const start = new Date(Date.now() - 3600_000).toISOString();
    const end = new Date(Date.now() + 120_000).toISOString();
    const deleted = await conn.request<{ deletedRecords: Array<{ id: string }> }>(`/services/data/v59.0/sobjects/Contact/deleted/?start=${start}&end=${end}`);
    expect(deleted.deletedRecords.map((r) => r.id)).toEqual([contact]);
  });

  it('undeleting the Account (SOAP undelete) brings back the children deleted with it, not one deleted before', async () => {
    const client = await subscribed('/data/ContactChangeEvent');
    const account = await create('Account', { Name: 'Parent' });
    const withIt = await create('Contact', { LastName: 'With it', AccountId: account });
    const before = await create('Contact', { LastName: 'Deleted before', AccountId: account });
    await conn.sobject('Contact').destroy(before);
    await conn.sobject('Account').destroy(account);
    const [result] = (await conn.soap.undelete([account])) as Array<{ id: string; success: boolean }>;
    expect(result).toMatchObject({ id: account, success: true });
    const live = await conn.query<{ Id: string }>('SELECT Id FROM Contact');
    expect(live.records.map((r) => r.Id)).toEqual([withIt]);
    const undeletes = await waitFor(
      () => (client.events.get('/data/ContactChangeEvent') ?? []).find((m) => headerOf(m).changeType === 'UNDELETE'),
      5000,
      'the Contact UNDELETE event',
    );
    expect(headerOf(undeletes).recordIds).toEqual([withIt]);
  });
});

describe('merge (SOAP)', () => {
  interface MergeResult {
    id: string;
    success: boolean;
    mergedRecordIds: string[];
    updatedRelatedIds: string[];
    errors: Array<{ statusCode: string; message: string }>;
  }
  const merge = async (request: Record<string, unknown>) => (await conn.soap.merge(request as never)) as unknown as MergeResult;

  it('merges two Accounts into the master: the loser deleted with MasterRecordId, its Contacts re-parented, events for each', async () => {
    const client = await subscribed('/data/ChangeEvents');
    const master = await create('Account', { Name: 'Master' });
    const loser = await create('Account', { Name: 'Loser', Phone: '555-0100' });
    const moved = await create('Contact', { LastName: 'Moved', AccountId: loser });
    const stayed = await create('Contact', { LastName: 'Stayed', AccountId: master });
    const movedBefore = (await conn.sobject('Contact').retrieve(moved)) as { SystemModstamp: string };
    const result = await merge({ masterRecord: { type: 'Account', Id: master, Phone: '555-0100' }, recordToMergeIds: [loser] });
    expect(result).toMatchObject({ success: true, id: master, mergedRecordIds: [loser], updatedRelatedIds: [moved] });

    const accounts = await conn.query<{ Id: string; IsDeleted: boolean; MasterRecordId: string | null; Phone: string | null }>(
      'SELECT Id, IsDeleted, MasterRecordId, Phone FROM Account ORDER BY Name',
      { scanAll: true },
    );
    expect(accounts.records).toEqual([
      expect.objectContaining({ Id: loser, IsDeleted: true, MasterRecordId: master }),
      expect.objectContaining({ Id: master, IsDeleted: false, MasterRecordId: null, Phone: '555-0100' }),
    ]);
    const contacts = await conn.query<{ Id: string; AccountId: string; SystemModstamp: string }>('SELECT Id, AccountId, SystemModstamp FROM Contact');
    expect(contacts.records.map((c) => [c.Id, c.AccountId]).sort()).toEqual(
      [
        [moved, master],
        [stayed, master],
      ].sort(),
    );
    expect(contacts.records.find((c) => c.Id === moved)?.SystemModstamp).not.toBe(movedBefore.SystemModstamp);

    const events = await waitFor(
      () => {
        const all = client.events.get('/data/ChangeEvents') ?? [];
        return all.length >= 7 ? all : undefined;
      },
      5000,
      'the merge change events',
    );
    const of = (id: string) => events.map(headerOf).filter((h) => h.recordIds?.includes(id) && h.changeType !== 'CREATE');
    expect(of(loser).map((h) => h.changeType)).toEqual(['DELETE']);
    expect(of(moved)).toEqual([expect.objectContaining({ changeType: 'UPDATE', changedFields: expect.arrayContaining(['AccountId']) })]);
    expect(of(master).map((h) => h.changeType)).toEqual(['UPDATE']);
    expect(of(stayed)).toEqual([]);
  });

  it('merges three Contacts, refuses four, and refuses an object merge() does not support', async () => {
    const [a, b, c, d] = await Promise.all(['A', 'B', 'C', 'D'].map((n) => create('Contact', { LastName: n })));
    const three = await merge({ masterRecord: { type: 'Contact', Id: a }, recordToMergeIds: [b, c] });
    expect(three).toMatchObject({ success: true, mergedRecordIds: [b, c] });
    const [e, f, g] = await Promise.all(['E', 'F', 'G'].map((n) => create('Contact', { LastName: n })));
    const four = await merge({ masterRecord: { type: 'Contact', Id: d }, recordToMergeIds: [e, f, g] });
    expect(four.success).toBe(false);
    expect(four.errors[0]?.statusCode).toBe('INVALID_ARGUMENT');
    expect((await conn.query('SELECT Id FROM Contact')).totalSize).toBe(5);
    const opp = { CloseDate: '2025-01-01', StageName: 'Prospecting' };
    const [o1, o2] = await Promise.all(['O1', 'O2'].map((n) => create('Opportunity', { Name: n, ...opp })));
    const unsupported = await merge({ masterRecord: { type: 'Opportunity', Id: o1 }, recordToMergeIds: [o2] });
    expect(unsupported.errors[0]?.statusCode).toBe('INVALID_TYPE');
  });

  it('merges Leads, and leaves nothing changed when a request fails (a loser already deleted)', async () => {
    const lead = (n: string) => create('Lead', { LastName: n, Company: 'Co' });
    const [master, loser, gone] = await Promise.all([lead('M'), lead('L'), lead('G')]);
    await conn.sobject('Lead').destroy(gone);
    const failed = await merge({ masterRecord: { type: 'Lead', Id: master, Company: 'Changed' }, recordToMergeIds: [loser, gone] });
    expect(failed.errors[0]?.statusCode).toBe('ENTITY_IS_DELETED');
    const untouched = await conn.query<{ Id: string; Company: string }>('SELECT Id, Company FROM Lead ORDER BY LastName');
    expect(untouched.records.map((r) => r.Company)).toEqual(['Co', 'Co']);
    const ok = await merge({ masterRecord: { type: 'Lead', Id: master, Company: 'Merged' }, recordToMergeIds: [loser] });
    expect(ok.success).toBe(true);
    const merged = await conn.query<{ Id: string }>(`SELECT Id FROM Lead WHERE IsDeleted = true AND MasterRecordId = '${master}'`, { scanAll: true });
    expect(merged.records.map((r) => r.Id)).toEqual([loser]);
  });
});
