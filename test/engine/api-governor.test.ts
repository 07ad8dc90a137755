/**
 * The API governor against the emulator's daily limit and usage controls:
 * near the budget (a share of the org's limit) it stretches the polls, at it
 * polls stop while a change waiting in Postgres is still pushed, the org's
 * usage never passes the budget, and usage that falls again (a new day)
 * resumes the polls. Usage reaches Postgres in batches (sfsync.api_budget).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/jobs/api-governor.js';
import { mapObject, waitLoaded } from './inbound-helpers.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

/** The org's daily limit here; the budget is half of it (the default share). */
const LIMIT = 1000;
const BUDGET = LIMIT / 2;

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness({ emulator: { controls: { dailyApiLimit: LIMIT } }, config: { poll: { budgetProbeMs: 3000 } } });
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name'], mode: 'read_write' });
  await h.startEngine();
  await waitLoaded(h, mappingId);
}, 60_000);
afterAll(() => h?.stop());

const budgetRow = async () => (await h.pool.query(`select * from sfsync.api_budget where connection = 'emulator'`)).rows[0];
const nextPollAt = async () =>
  (await h.pool.query<{ run_at: Date }>(`select run_at from graphile_worker.jobs where key = $1`, [`sfsync:poll:${mappingId}`])).rows[0]?.run_at;

describe('the API governor', () => {
  it('decides by the usage against the budget less a reserve', () => {
    expect(decide(100, LIMIT, 0.5)).toMatchObject({ level: 'normal', factor: 1, budget: BUDGET });
    expect(decide(450, LIMIT, 0.5).level).toBe('slow');
    expect(decide(450, LIMIT, 0.5).factor).toBeGreaterThan(3);
    expect(decide(490, LIMIT, 0.5).level).toBe('stopped');
    expect(decide(null, null, 0.5).level).toBe('normal');
  });

  it('writes the usage it sees to Postgres, in batches', async () => {
    const row = await waitFor(
      async () => {
        const r = await budgetRow();
        return r?.api_usage > 0 ? r : undefined;
      },
      { what: 'usage in sfsync.api_budget' },
    );
    expect(row).toMatchObject({ api_limit: LIMIT, api_budget: BUDGET, governor: 'normal' });
  });

  it('stretches the polls near the budget', async () => {
    h.emulator.org.apiUsage = 460;
    await waitFor(async () => (await budgetRow())?.governor === 'slow', { what: 'governor slow', timeoutMs: 30_000 });
    // The next interval poll is queued several poll intervals (1 s) ahead, not one.
    await waitFor(async () => ((await nextPollAt())?.getTime() ?? 0) - Date.now() > 2500, { what: 'a stretched poll', timeoutMs: 30_000 });
  });

  it('stops the polls at the budget, still pushes a waiting change, and never passes the budget', async () => {
    // A few calls short of the stop point (490): the engine's own polls take it there.
    h.emulator.org.apiUsage = 486;
    await waitFor(async () => (await budgetRow())?.governor === 'stopped', { what: 'governor stopped', timeoutMs: 60_000 });
    expect(h.emulator.org.apiUsage).toBeLessThanOrEqual(BUDGET);
    h.emulator.org.create('Account', { Name: 'Made in Salesforce while stopped' });
    await h.pool.query(`insert into salesforce.account (name) values ('Made in Postgres while stopped')`);
    await waitFor(() => h.emulator.org.list('Account').some((r) => r.values.Name === 'Made in Postgres while stopped'), {
      what: 'the waiting change pushed',
      timeoutMs: 30_000,
    });
    // Let several skipped polls (and budget probes) pass: wait for two more /limits probes' worth of reports.
    const before = (await budgetRow()).api_usage_at as Date;
    await waitFor(async () => ((await budgetRow()).api_usage_at as Date).getTime() > before.getTime() + 2000, { what: 'probes', timeoutMs: 30_000 });
    const { rows } = await h.pool.query(`select name from salesforce.account where name = 'Made in Salesforce while stopped'`);
    expect(rows).toEqual([]);
    expect(h.emulator.org.apiUsage).toBeLessThanOrEqual(BUDGET);
    expect((await budgetRow()).governor).toBe('stopped');
  });

  it('resumes when the usage falls again', async () => {
    h.emulator.org.apiUsage = 0;
    await waitFor(async () => (await budgetRow())?.governor === 'normal', { what: 'governor normal again', timeoutMs: 30_000 });
    await waitFor(async () => (await h.pool.query(`select 1 from salesforce.account where name = 'Made in Salesforce while stopped'`)).rowCount === 1, {
      what: 'polls resumed',
      timeoutMs: 60_000,
    });
  });
});
