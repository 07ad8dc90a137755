/**
 * What writing the change feed costs the sync paths (issue 15): the inbound
 * apply of one 2,000-record page (applyPage, every record changed) and the
 * push's write-back of 2,000 successful records (writeBack), each timed with
 * `feed.enabled` off and on, interleaved (off, on, on, off, …) so drift of a
 * shared machine falls on both alike. Reported as medians and the ratio
 * on/off; the reader's side (feed_settle numbering 2,000 entries) is timed
 * apart, since the sync paths never wait for it.
 *
 * Real modules on an embedded Postgres; the emulator only answers the
 * mapping's describe. No engine runs, so nothing else writes meanwhile.
 *
 *   npm run bench:feed -- [rounds=12] [rows=2000]
 */
import pg from 'pg';
import { DEFAULT_LOGIN, startEmulator } from 'salesforce-emulator';
import { loadConfig } from '../src/config/load-config.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { providePostgres } from '../src/db/provide-postgres.js';
import { applyPage } from '../src/inbound/apply-page.js';
import { loadInboundMapping } from '../src/inbound/inbound-mapping.js';
import type { InboundRow } from '../src/inbound/record.js';
import { applyMapping } from '../src/mapping/apply-mapping.js';
import { loadPushMapping } from '../src/outbound/claim.js';
import { coalesceChanges } from '../src/outbound/coalesce.js';
import { writeBack, type RecordResultRow } from '../src/outbound/write-back.js';
import { claim } from '../src/outbox/outbox.js';
import { connectSalesforce } from '../src/salesforce/connect.js';
import { JsforceSalesforceClient } from '../src/salesforce/jsforce-client.js';
import { describeMachine } from './bench-machine.js';

const ROUNDS = Number(process.argv[2] ?? 12);
const ROWS = Number(process.argv[3] ?? 2000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const server = await providePostgres({ temporary: true });
  const emulator = await startEmulator({ port: 0, log: () => undefined });
  const pool = createPool(server.url, { max: 4, applicationName: 'bench feed' });
  try {
    await migrate(server.url);
    const salesforce = {
      loginUrl: emulator.url,
      apiVersion: '59.0',
      ...DEFAULT_LOGIN,
    };
    const config = loadConfig({ env: {}, cwd: '/nonexistent', overrides: { databaseUrl: server.url, salesforce, metrics: { port: 0 }, logLevel: 'silent' } });
    const { rows } = await pool.query<{ id: string }>(
      `insert into sfsync.connections (name, login_url, username, client_id) values ('bench', $1, $2, $3) returning id::text`,
      [emulator.url, salesforce.username, salesforce.clientId],
    );
    const sf = new JsforceSalesforceClient(await connectSalesforce(config.salesforce));
    const client = await pool.connect();
    let mappingId: string;
    try {
      const plan = await applyMapping(client, sf, {
        connectionId: rows[0]!.id,
        sobject: 'Account',
        fields: ['Name', 'NumberOfEmployees'],
        mode: 'read_write',
        streaming: 'off',
      });
      mappingId = plan.mappingId;
      // The rows, as a load would leave them (not captured).
      await client.query('begin');
      await client.query("select set_config('sfsync.origin', 'salesforce', true)");
      await client.query(
        `insert into salesforce.account (sfid, name, numberofemployees, systemmodstamp, _sfsync_state)
         select '001' || lpad(g::text, 15, '0'), 'Row ' || g, 0, '2024-01-01', 'synced' from generate_series(1, $1) g`,
        [ROWS],
      );
      await client.query('commit');
    } finally {
      client.release();
    }
    const inbound = await loadInboundMapping(pool, mappingId);
    const push = (await pool.connect().then(async (c) => {
      try {
        return await loadPushMapping(c, mappingId);
      } finally {
        c.release();
      }
    }))!;

    let round = 0;
    /** One inbound page: every record renamed, stamped one second later. */
    async function inboundRound(feed: boolean): Promise<number> {
      round++;
      const stamp = new Date(Date.UTC(2024, 0, 1, 0, 0, round)).toISOString().replace('T', ' ').replace('Z', '');
      const page: InboundRow[] = Array.from({ length: ROWS }, (_, i) => ({
        sfid: `001${String(i + 1).padStart(15, '0')}`,
        systemmodstamp: stamp,
        isdeleted: false,
        createddate: '2024-01-01 00:00:00.000',
        values: { name: `Row ${i + 1} r${round}`, numberofemployees: String(round) },
        errors: [],
      }));
      const start = performance.now();
      await applyPage(pool, { ...inbound, feed }, page);
      return performance.now() - start;
    }
    /** One push write-back: every row changed locally, claimed, and settled as sent. */
    async function outboundRound(feed: boolean): Promise<number> {
      await pool.query('update salesforce.account set numberofemployees = numberofemployees + 1');
      const c = await pool.connect();
      try {
        const groups = await claim(c, mappingId, 'bench', ROWS);
        const sfids = new Map((await c.query<{ id: string; sfid: string }>('select id::text, sfid from salesforce.account')).rows.map((r) => [r.id, r.sfid]));
        const results: RecordResultRow[] = groups.map((g) => {
          const change = coalesceChanges(g);
          return { change, outcome: { kind: 'success', sfid: sfids.get(change.recordId)! } };
        });
        const start = performance.now();
        await writeBack(c, push, results, { retryBaseMs: 1000, retryMaxMs: 60_000, feed });
        return performance.now() - start;
      } finally {
        c.release();
      }
    }
    async function settle(): Promise<number> {
      const start = performance.now();
      await pool.query('select sfsync.feed_settle()');
      return performance.now() - start;
    }

    const times = { inOff: [] as number[], inOn: [] as number[], outOff: [] as number[], outOn: [] as number[], settle: [] as number[] };
    const ratios = { in: [] as number[], out: [] as number[] };
    // Warm-up: plans, caches, the first feed entries.
    await inboundRound(false);
    await inboundRound(true);
    await outboundRound(false);
    await outboundRound(true);
    await settle();
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [false, true] : [true, false];
      const pair: Record<string, number> = {};
      for (const feed of order) pair[`in${feed}`] = await inboundRound(feed);
      for (const feed of order) pair[`out${feed}`] = await outboundRound(feed);
      times.inOff.push(pair.infalse!);
      times.inOn.push(pair.intrue!);
      times.outOff.push(pair.outfalse!);
      times.outOn.push(pair.outtrue!);
      ratios.in.push(pair.intrue! / pair.infalse!);
      ratios.out.push(pair.outtrue! / pair.outfalse!);
      times.settle.push(await settle());
      await pool.query('vacuum salesforce.account');
    }
    const { rows: count } = await pool.query<{ n: string }>('select count(*) as n from sfsync.feed');
    const line = (label: string, off: number[], on: number[], rs: number[]) =>
      `${label.padEnd(30)} off ${median(off).toFixed(1).padStart(7)} ms   on ${median(on).toFixed(1).padStart(7)} ms   on/off ${median(rs).toFixed(3)} (median of ${rs.length} pairs; min ${Math.min(...rs).toFixed(3)}, max ${Math.max(...rs).toFixed(3)})`;
    console.log(`change feed cost, ${ROWS} records per call, ${ROUNDS} interleaved pairs`);
    console.log(line('inbound apply (applyPage)', times.inOff, times.inOn, ratios.in));
    console.log(line('push write-back (writeBack)', times.outOff, times.outOn, ratios.out));
    console.log(
      `${'reader: feed_settle'.padEnd(30)} ${median(times.settle).toFixed(1)} ms per ${2 * ROWS} entries (median); ${count[0]!.n} entries in the feed`,
    );
    const probe = new pg.Client(server.url);
    await probe.connect();
    console.log(await describeMachine(probe));
    await probe.end();
  } finally {
    await pool.end().catch(() => undefined);
    await emulator.stop();
    await server.stop();
  }
}

await main();
