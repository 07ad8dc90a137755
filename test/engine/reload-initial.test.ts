/**
 * Initial load of 100,000 records through Bulk 2.0 + COPY; a reload of the
 * filled table replaces the data without readers ever seeing an empty or half
 * table; adding a field backfills only that column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecords } from 'salesforce-emulator';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

const COUNT = 100_000;
let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness();
  seedRecords(h.emulator.org, 'Account', COUNT, { template: { Website: 'https://a{n}.example.com' } });
  mappingId = await mapObject(h, {
    sobject: 'Account',
    fields: ['Name', 'Industry', 'AnnualRevenue', 'NumberOfEmployees', 'BillingCity', 'Phone'],
    pollInterval: '1 hour',
  });
  await h.startEngine();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

async function count(): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>('select count(*)::int as n from salesforce.account');
  return rows[0]!.n;
}

describe('initial load and reload', () => {
  it(`loads ${COUNT} records with progress in poll_windows`, async () => {
    const started = Date.now();
    await waitLoaded(h, mappingId, 50_000);
    const ms = Date.now() - started;
    expect(await count()).toBe(COUNT);
    const { rows } = await h.pool.query(
      "select records_seen, records_expected, records_applied, api, outcome from sfsync.poll_windows where mapping_id = $1 and kind = 'reload'",
      [mappingId],
    );
    expect(rows[0]).toEqual({ records_seen: COUNT, records_expected: COUNT, records_applied: COUNT, api: 'bulk', outcome: 'succeeded' });
    console.log(`initial load of ${COUNT} records: ${ms} ms (${Math.round(COUNT / (ms / 1000))} rows/s, including job scheduling)`);
  }, 60_000);

  it('reloads without readers ever seeing an empty or half table', async () => {
    const conn = await sfConnection(h);
    const [a, b] = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 2')).records;
    h.emulator.org.write([{ kind: 'hardDelete', id: b!.Id }], { allOrNone: true }, h.emulator.org.systemContext());
    // Changed without a poll (the interval is an hour): only the reload can bring it.
    await conn.sobject('Account').update({ Id: a!.Id, Name: 'Reloaded' });
    const seen = new Set<number>();
    let reading = true;
    const reader = (async () => {
      while (reading) seen.add(await count());
    })();
    await h.pool.query('select sfsync.request_reload($1)', [mappingId]);
    await waitFor(async () => (await rowOf(h, 'account', a!.Id))?.['name'] === 'Reloaded', { timeoutMs: 40_000, what: 'the reload' });
    reading = false;
    await reader;
    expect([...seen].every((n) => n === COUNT || n === COUNT - 1)).toBe(true);
    expect(await count()).toBe(COUNT - 1);
  }, 60_000);

  it('backfills a newly mapped field only', async () => {
    const before = await mapObject(h, {
      sobject: 'Account',
      fields: ['Name', 'Industry', 'AnnualRevenue', 'NumberOfEmployees', 'BillingCity', 'Phone', 'Website'],
      pollInterval: '1 hour',
    });
    expect(before).toBe(mappingId);
    await waitFor(
      async () => {
        const { rows } = await h.pool.query('select count(*)::int as n from salesforce.account where website is null');
        return rows[0].n === 0;
      },
      { timeoutMs: 40_000, what: 'the backfill' },
    );
    const { rows } = await h.pool.query("select website from salesforce.account where name = 'Account 7'");
    expect(rows[0].website).toBe('https://a7.example.com');
  }, 60_000);
});
