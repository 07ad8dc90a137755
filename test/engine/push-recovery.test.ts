/**
 * Exactly one Salesforce record per row whatever fails: a lost reply (the
 * emulator commits, then drops the socket), a process that dies after
 * Salesforce committed but before the write-back, or before the call; a
 * locked row, 5xx replies and an expired session are retried; the API limit
 * pauses pushes and they resume; two engines on one database push
 * each change once and in order.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

let h: SyncHarness;
let mappingId: string;

beforeEach(async () => {
  h = await startSyncHarness();
  const plan = await withClient(h.pool, async (c) =>
    applyMapping(c, await h.salesforce(), {
      connectionId: h.connectionId,
      sobject: 'Account',
      fields: ['Name', 'NumberOfEmployees'],
      mode: 'read_write',
      streaming: 'off',
    }),
  );
  mappingId = plan.mappingId;
});
afterEach(() => h?.stop());

const accounts = (prefix: string) => h.emulator.org.list('Account').filter((r) => String(r.values.Name).startsWith(prefix));
const synced = async (prefix: string) =>
  Number(
    (await h.pool.query(`select count(*) from salesforce.account where name like $1 and _sfsync_state = 'synced' and sfid is not null`, [`${prefix}%`])).rows[0]
      .count,
  );

describe('unknown outcomes', () => {
  it("the emulator's lost reply ends with exactly one record per row", async () => {
    // Aimed at the push's Collections create: the read path's Bulk query POSTs (initial load) pass.
    h.emulator.org.setControls({ lostResponses: { next: 1, method: 'POST', pathPrefix: '/services/data/v59.0/composite/sobjects' } });
    await h.startEngine();
    await h.pool.query(`insert into salesforce.account (name, numberofemployees) values ('Lost 1', 1), ('Lost 2', 2), ('Lost 3', 3)`);
    await waitFor(async () => (await synced('Lost')) === 3, { what: 'the rows to sync after a lost reply', timeoutMs: 20_000 });
    expect(accounts('Lost')).toHaveLength(3);
    const { rows } = await h.pool.query(`select count(distinct sfid)::int as n from salesforce.account`);
    expect(rows[0].n).toBe(3);
    const outbox = await h.pool.query(`select attempts, unknown_since is not null as unknown from sfsync.outbox where mapping_id = $1`, [mappingId]);
    expect(outbox.rows.every((r) => r.attempts === 1)).toBe(true);
    expect(h.emulator.org.controls.lostResponses.next).toBe(0);
  });

  it('a process that died after Salesforce committed, before the write-back, leaves one record', async () => {
    await h.pool.query(`insert into salesforce.account (name, numberofemployees) values ('Crash A', 1), ('Crash B', 2)`);
    // The dying process: claims on its own connection, sends, and vanishes without writing back.
    const dying = new pg.Client(h.db.url);
    await dying.connect();
    const claimed = await dying.query(`select * from sfsync.claim_outbox($1, 'dying', 100)`, [mappingId]);
    expect(claimed.rows).toHaveLength(2);
    const sf = await h.salesforce();
    await sf.create('Account', [{ Name: 'Crash A', NumberOfEmployees: 1 }]); // only A reached Salesforce
    await dying.end();
    await h.startEngine();
    // B is sent again only once the lookups have not found it for UNKNOWN_OUTCOME_SETTLE_MS (10 s).
    await waitFor(async () => (await synced('Crash')) === 2, { what: 'recovery of the dead claim', timeoutMs: 40_000 });
    expect(
      accounts('Crash')
        .map((r) => r.values.Name)
        .sort(),
    ).toEqual(['Crash A', 'Crash B']);
  });
});

describe('retryable failures', () => {
  it('a locked row, Salesforce 5xx and an expired session are retried until every row is in, once', async () => {
    await h.startEngine();
    const composite = '/services/data/v59.0/composite';
    h.emulator.org.setControls({
      faults: [
        { kind: 'UNABLE_TO_LOCK_ROW', method: 'POST', pathPrefix: composite, count: 1 },
        { kind: '5xx', method: 'POST', pathPrefix: composite, count: 2 },
      ],
    });
    await h.pool.query(`insert into salesforce.account (name) select 'Retry ' || g from generate_series(1, 30) g`);
    await waitFor(async () => (await synced('Retry ')) === 30, { what: 'every row through the faults', timeoutMs: 20_000 });
    // Every session the engine holds expires now: the next push logs in again and carries on.
    expect(h.emulator.org.sessions.expireAll(), 'the engine held a session').toBeGreaterThan(0);
    await h.pool.query(`update salesforce.account set numberofemployees = 7 where name like 'Retry %'`);
    await waitFor(() => accounts('Retry ').every((r) => r.values.NumberOfEmployees === 7), {
      what: 'the updates after the session expired',
      timeoutMs: 20_000,
    });
    expect(accounts('Retry ')).toHaveLength(30);
    const { rows } = await h.pool.query(
      `select max(attempts) as attempts, count(*) filter (where state = 'failed') as failed from sfsync.outbox where mapping_id = $1`,
      [mappingId],
    );
    expect(Number(rows[0].failed)).toBe(0);
    expect(Number(rows[0].attempts), 'some changes were attempted more than once').toBeGreaterThan(1);
  });
});

describe('API limit', () => {
  it('pauses the pushes of the connection (visible in SQL) and resumes by itself', async () => {
    await h.startEngine();
    h.emulator.org.setControls({ faults: [{ kind: 'REQUEST_LIMIT_EXCEEDED', method: 'POST', pathPrefix: '/services/data/v59.0/composite', count: 1 }] });
    await h.pool.query(`insert into salesforce.account (name) values ('Limited')`);
    const paused = await waitFor(
      async () =>
        (
          await h.pool.query(`select push_paused_until, last_error from sfsync.outbox_status where mapping_id = $1 and push_paused_until is not null`, [
            mappingId,
          ])
        ).rows[0],
      { what: 'the pause' },
    );
    expect(paused.last_error).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED' });
    await waitFor(async () => (await synced('Limited')) === 1, { what: 'the push to resume', timeoutMs: 20_000 });
    expect(accounts('Limited')).toHaveLength(1);
  });
});

describe('order per record', () => {
  it("merges one record's changes in outbox id order across a digit boundary (9 → 10, 99 → 100 …)", async () => {
    const { rows } = await h.pool.query(`insert into salesforce.account (name, numberofemployees) values ('Ordered', 0) returning id`);
    // Separate statements, engine not started yet: one claim takes them all, and their
    // ids cross a power of ten, where text order ('10' < '9') differs from numeric order.
    // An update is logged first (sfsync.outbox_updates) and keeps its id in the outbox.
    const maxId = async () => String((await h.pool.query(`select max(id) as m from sfsync.outbox_logged where mapping_id = $1`, [mappingId])).rows[0].m);
    const digits = (await maxId()).length;
    let step = 0;
    while ((await maxId()).length === digits || step < 3)
      await h.pool.query(`update salesforce.account set numberofemployees = $1 where id = $2`, [++step, rows[0].id]);
    await h.startEngine();
    await waitFor(async () => (await synced('Ordered')) === 1, { what: 'the record to sync' });
    expect(accounts('Ordered').map((r) => r.values.NumberOfEmployees)).toEqual([step]);
  });
});

describe('two engines', () => {
  it('push each change once, in order per record', async () => {
    await h.startEngine();
    await h.startEngine();
    await h.pool.query(`insert into salesforce.account (name, numberofemployees) select 'Two ' || g, 0 from generate_series(1, 300) g`);
    for (let step = 1; step <= 5; step++) await h.pool.query(`update salesforce.account set numberofemployees = $1 where name like 'Two %'`, [step]);
    await waitFor(
      async () => Number((await h.pool.query(`select pending as count from sfsync.outbox_status where mapping_id = $1`, [mappingId])).rows[0].count) === 0,
      { what: 'both engines to drain', timeoutMs: 40_000 },
    );
    const records = accounts('Two');
    expect(records).toHaveLength(300);
    expect(records.every((r) => r.values.NumberOfEmployees === 5)).toBe(true);
    const { rows } = await h.pool.query(`select count(*)::int as n from sfsync.outbox where mapping_id = $1 and state not in ('success', 'merged')`, [
      mappingId,
    ]);
    expect(rows[0].n).toBe(0);
  }, 60_000);
});
