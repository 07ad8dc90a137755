/**
 * Related inserts as composite graphs: a push round of the parent mapping
 * (Account) takes the waiting children (Contacts whose AccountId holds
 * `@<id>`) with it, one graph per family, all or nothing per family. The
 * rounds run here on the test's own connection through the push's real
 * modules (claim, pushRound) against the emulator's HTTP surface, so which
 * push claims what is deterministic; the last case runs the engine.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { loadPushMapping, type PushMapping } from '../../src/outbound/claim.js';
import { pushRound } from '../../src/outbound/round.js';
import { claim } from '../../src/outbox/outbox.js';
import type { JsforceSalesforceClient } from '../../src/salesforce/jsforce-client.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;
let db: pg.Client;
let sf: JsforceSalesforceClient;
let accountMapping: string;

beforeEach(async () => {
  h = await startSyncHarness();
  sf = await h.salesforce();
  await withClient(h.pool, async (c) => {
    const common = { connectionId: h.connectionId, mode: 'read_write' as const, streaming: 'off' as const };
    accountMapping = (await applyMapping(c, sf, { ...common, sobject: 'Account', fields: ['Name'] })).mappingId;
    await applyMapping(c, sf, { ...common, sobject: 'Contact', fields: ['LastName', 'AccountId'] });
  });
  db = new pg.Client(h.db.url);
  await db.connect();
});
afterEach(async () => {
  await db?.end().catch(() => undefined);
  await h?.stop();
});

/** Insert `families` Accounts with `children` Contacts each (`@<id>`), in one transaction. */
async function insertFamilies(prefix: string, families: number, children: number): Promise<void> {
  await h.pool.query(
    `with p as (insert into salesforce.account (name) select $1 || g from generate_series(1, $2) g returning id, name)
     insert into salesforce.contact (lastname, accountid) select p.name || '-' || k, '@' || p.id from p, generate_series(1, $3) k`,
    [prefix, families, children],
  );
}

/** One push of a mapping, as sfsync:push runs it (claim, round), on the test's connection. */
async function pushOnce(mappingId: string, compositeGraphs = true, feed = false): Promise<PushMapping> {
  const mapping = (await loadPushMapping(db, mappingId))!;
  const groups = await claim(db, mappingId, 'test/push', 10_000);
  if (groups.length > 0) await pushRound(db, sf, mapping, groups, { ...h.config.push, compositeGraphs, feed, claimedBy: 'test/push' });
  return mapping;
}

const rows = async (table: string, prefix: string) =>
  (
    await h.pool.query(
      `select id::text, sfid, ${table === 'contact' ? 'accountid' : 'null as accountid'}, _sfsync_state as state, _sfsync_error as error from salesforce.${table} where ${table === 'account' ? 'name' : 'lastname'} like $1 order by id`,
      [`${prefix}%`],
    )
  ).rows as Array<{ id: string; sfid: string | null; accountid?: string | null; state: string; error: { code: string; message: string } | null }>;

describe('composite graphs', () => {
  it('one push of the parents sends each family as a graph: one call for 3 families, every child linked and its column rewritten', async () => {
    await insertFamilies('Graph ', 3, 2);
    const before = sf.callCount;
    await pushOnce(accountMapping, true, true);
    expect(sf.callCount - before, 'one composite graph request for the 3 families').toBe(1);
    const accounts = await rows('account', 'Graph ');
    const contacts = await rows('contact', 'Graph ');
    expect(accounts.every((a) => a.state === 'synced' && a.sfid)).toBe(true);
    expect(contacts).toHaveLength(6);
    for (const c of contacts) {
      expect(c.state).toBe('synced');
      expect(accounts.map((a) => a.sfid)).toContain(c.accountid);
      expect(h.emulator.org.latest(c.sfid!)?.values.AccountId).toBe(c.accountid);
    }
    const open = await h.pool.query(`select coalesce(sum(pending), 0)::int as n from sfsync.outbox_status`);
    expect(open.rows[0].n).toBe(0);
    // The change feed has the outbound entries of both tables, from the one write-back transaction (no engine runs: still pending).
    const feed = await h.pool.query(
      `select sobject, count(*)::int as n, count(distinct xmin::text)::int as transactions from sfsync.feed_pending where direction = 'outbound' group by sobject order by sobject`,
    );
    expect(feed.rows).toEqual([
      { sobject: 'Account', n: 3, transactions: 1 },
      { sobject: 'Contact', n: 6, transactions: 1 },
    ]);
    const together = await h.pool.query(`select count(distinct xmin::text)::int as n from sfsync.feed_pending`);
    expect(together.rows[0].n).toBe(1);
  });

  it('packs 75 graphs per request; a family over 500 records goes the usual way (its children wait for the parent)', async () => {
    await insertFamilies('Pack ', 80, 1);
    await insertFamilies('Huge ', 1, 500);
    const before = sf.callCount;
    await pushOnce(accountMapping);
    // 80 graphs of 2 nodes: two requests (75 + 5); the huge family's parent: one Collections call.
    expect(sf.callCount - before).toBe(3);
    expect((await rows('contact', 'Pack ')).every((c) => c.state === 'synced')).toBe(true);
    expect((await rows('account', 'Huge ')).every((a) => a.state === 'synced')).toBe(true);
    const huge = await rows('contact', 'Huge ');
    expect(huge).toHaveLength(500);
    expect(huge.every((c) => c.sfid === null && c.state === 'pending')).toBe(true);
    const open = await h.pool.query(`select count(*)::int as n from sfsync.outbox where state = 'new' and attempts = 0 and unknown_since is null`);
    expect(open.rows[0].n, 'handed back untouched').toBe(500);
  });

  it('switched off, the same push sends the parents only: the children wait for their own push', async () => {
    await insertFamilies('Off ', 2, 2);
    await pushOnce(accountMapping, false);
    expect((await rows('account', 'Off ')).every((a) => a.state === 'synced')).toBe(true);
    expect((await rows('contact', 'Off ')).every((c) => c.sfid === null && c.state === 'pending')).toBe(true);
  });

  it("a failing child fails its family only: its row gets Salesforce's error, the others the rollback error; the next round sends the rest", async () => {
    await insertFamilies('Fam ', 3, 2);
    // Contact.LastName is required: the second family's first child fails.
    await h.pool.query(`update salesforce.contact set lastname = null where lastname = 'Fam 2-1'`);
    await pushOnce(accountMapping);
    const accounts = await rows('account', 'Fam ');
    expect(accounts.map((a) => a.state)).toEqual(['synced', 'pending', 'synced']);
    expect(accounts[1]!.error).toMatchObject({ code: 'PROCESSING_HALTED' });
    const bad = (await h.pool.query(`select _sfsync_state as state, _sfsync_error as error from salesforce.contact where lastname is null`)).rows[0];
    expect(bad).toMatchObject({ state: 'failed', error: { code: 'REQUIRED_FIELD_MISSING' } });
    const sibling = (await rows('contact', 'Fam 2-2'))[0]!;
    expect(sibling).toMatchObject({ state: 'pending', sfid: null, error: { code: 'PROCESSING_HALTED' } });
    expect((await rows('contact', 'Fam 1-')).every((c) => c.state === 'synced')).toBe(true);
    expect((await rows('contact', 'Fam 3-')).every((c) => c.state === 'synced')).toBe(true);
    expect(h.emulator.org.list('Account').filter((r) => r.values.Name === 'Fam 2')).toHaveLength(0);
    // After the back-off, the family goes again without the child that failed for good.
    await waitFor(
      async () => {
        await pushOnce(accountMapping);
        return (await rows('account', 'Fam 2'))[0]!.state === 'synced';
      },
      { what: 'the second family to go again', timeoutMs: 10_000 },
    );
    expect((await rows('contact', 'Fam 2-2'))[0]).toMatchObject({ state: 'synced', accountid: (await rows('account', 'Fam 2'))[0]!.sfid });
  });

  it('a lost graph reply: the parents and children are looked up, not sent twice; every row gets its sfid', async () => {
    await insertFamilies('Lost ', 2, 3);
    h.emulator.org.setControls({ lostResponses: { next: 1, method: 'POST', pathPrefix: '/services/data/v59.0/composite/graph' } });
    await pushOnce(accountMapping);
    expect(h.emulator.org.controls.lostResponses.next, 'the graph reply was dropped').toBe(0);
    expect(h.emulator.org.list('Account').filter((r) => String(r.values.Name).startsWith('Lost '))).toHaveLength(2);
    const unknown = await h.pool.query(`select count(*)::int as n from sfsync.outbox where state = 'new' and unknown_since is not null`);
    expect(unknown.rows[0].n, 'every parent and child of unknown outcome').toBe(8);
    await h.startEngine();
    await waitFor(async () => [...(await rows('account', 'Lost ')), ...(await rows('contact', 'Lost '))].every((r) => r.state === 'synced' && r.sfid), {
      what: 'every row to get its sfid',
      timeoutMs: 40_000,
    });
    expect(h.emulator.org.list('Account').filter((r) => String(r.values.Name).startsWith('Lost '))).toHaveLength(2);
    expect(h.emulator.org.list('Contact').filter((r) => String(r.values.LastName).startsWith('Lost '))).toHaveLength(6);
    const accounts = await rows('account', 'Lost ');
    for (const c of await rows('contact', 'Lost ')) expect(accounts.map((a) => a.sfid)).toContain(c.accountid);
  });

  it('a process killed after Salesforce committed a graph, before the write-back: its claims of both mappings are recovered, one record per row', async () => {
    await insertFamilies('Killed ', 1, 2);
    const { rows: ids } = await h.pool.query(`select id::text from salesforce.account where name = 'Killed 1'`);
    // The dying push: claims the parent and, as claim-families.ts does, its children; sends the graph; dies without writing back.
    const dying = new pg.Client(h.db.url);
    await dying.connect();
    try {
      const parents = await dying.query(`select * from sfsync.claim_outbox((select id from sfsync.mappings where sobject = 'Account'), 'dying', 100)`);
      const children = await dying.query(
        `select * from sfsync.claim_waiting_children((select id from sfsync.mappings where sobject = 'Contact'), 'dying', array['AccountId'], array['@' || $1::text], 100)`,
        [ids[0].id],
      );
      expect([parents.rowCount, children.rowCount]).toEqual([1, 2]);
      // A push of the child mapping meanwhile claims none of them.
      const rival = await h.pool.query(`select * from sfsync.claim_outbox((select id from sfsync.mappings where sobject = 'Contact'), 'rival', 100)`);
      expect(rival.rowCount).toBe(0);
      const [graph] = await sf.compositeGraph([
        {
          graphId: 'g1',
          nodes: [
            { referenceId: 'p', sobject: 'Account', body: { Name: 'Killed 1' } },
            { referenceId: 'c1', sobject: 'Contact', body: { LastName: 'Killed 1-1', AccountId: '@{p.id}' } },
            { referenceId: 'c2', sobject: 'Contact', body: { LastName: 'Killed 1-2', AccountId: '@{p.id}' } },
          ],
        },
      ]);
      expect(graph!.isSuccessful).toBe(true);
    } finally {
      await dying.end();
    }
    await h.startEngine();
    await waitFor(async () => [...(await rows('account', 'Killed ')), ...(await rows('contact', 'Killed '))].every((r) => r.state === 'synced' && r.sfid), {
      what: 'the recovered claims to settle',
      timeoutMs: 40_000,
    });
    expect(h.emulator.org.list('Account').filter((r) => r.values.Name === 'Killed 1')).toHaveLength(1);
    expect(h.emulator.org.list('Contact').filter((r) => String(r.values.LastName).startsWith('Killed '))).toHaveLength(2);
    const account = (await rows('account', 'Killed '))[0]!;
    expect((await rows('contact', 'Killed ')).every((c) => c.accountid === account.sfid)).toBe(true);
  });

  it('with the engine: the Contact push the same commit queued lets the children go (it only finds they wait); all 50 families go in one call', async () => {
    await h.pool.query(`update sfsync.mappings set poll_interval = interval '1 hour'`);
    const engine = await h.startEngine();
    await waitFor(
      async () =>
        (
          await h.pool.query(
            `select bool_and(state = 'active') and not exists (select 1 from graphile_worker.jobs where run_at <= now() or locked_at is not null) as ok from sfsync.mappings`,
          )
        ).rows[0].ok,
      { what: 'the initial loads' },
    );
    const engineSf = await engine.context.salesforce(h.connectionId);
    const before = engineSf.callCount;
    // 250 Contacts: today's path takes 3 Collections calls (Accounts, then 200 + 50 Contacts).
    await insertFamilies('Engine ', 50, 5);
    await waitFor(async () => [...(await rows('account', 'Engine ')), ...(await rows('contact', 'Engine '))].every((r) => r.state === 'synced' && r.sfid), {
      what: 'every family to sync',
      timeoutMs: 20_000,
    });
    expect(engineSf.callCount - before, '50 graphs of 6 records: one request').toBe(1);
    const accounts = await rows('account', 'Engine ');
    for (const c of await rows('contact', 'Engine ')) expect(accounts.map((a) => a.sfid)).toContain(c.accountid);
  });
});
