/**
 * Related inserts (issue 15, part 3): N families of one Account and 5
 * Contacts pointing at it by `@<id>`, inserted in one transaction, no
 * External ID. Reports the time until every row has its sfid and the
 * engine's API calls, side by side, for:
 * - push.compositeGraphs false: the Account push and the Contact push run
 *   side by side, and each Contact waits (WAITING_FOR_PARENT, retried with
 *   back-off) until its Account's write-back has the sfid;
 * - push.compositeGraphs true (the default): the Account push takes the
 *   waiting Contacts along, one graph per family, 75 families per call.
 * Each run has a Postgres of its own (mappings and engine in it, the switch
 * set); the emulator is shared, warmed by an unreported run of 100 families.
 *
 * API calls: the delta of the engine's SalesforceClient.callCount over the
 * run (polls are an hour apart and streaming is off, so none falls inside it).
 *
 *   npm run bench:families -- [families=1000]
 */
import pg from 'pg';
import { DEFAULT_LOGIN, startEmulator } from 'salesforce-emulator';
import { loadConfig } from '../src/config/load-config.js';
import { migrate } from '../src/db/migrate.js';
import { providePostgres } from '../src/db/provide-postgres.js';
import { startEngine } from '../src/engine/start-engine.js';
import { applyMapping } from '../src/mapping/apply-mapping.js';
import { connectSalesforce } from '../src/salesforce/connect.js';
import { JsforceSalesforceClient } from '../src/salesforce/jsforce-client.js';
import { describeMachine } from './bench-machine.js';

const FAMILIES = Number(process.argv[2] ?? 1000);
const CHILDREN = 5;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0, log: () => undefined });
  try {
    // Warm-up, not reported: the first run would otherwise also pay for a cold emulator and JIT.
    await run(emulator.url, false, 'Warm', Math.min(FAMILIES, 100));
    const results: Array<{ label: string; seconds: number; calls: number; linked: number; machine: string }> = [];
    for (const compositeGraphs of [false, true]) {
      const label = compositeGraphs ? 'composite graphs (push.compositeGraphs true)' : "today's path (push.compositeGraphs false)";
      results.push({ label, ...(await run(emulator.url, compositeGraphs, compositeGraphs ? 'On' : 'Off', FAMILIES)) });
    }
    console.log(`${FAMILIES} families (1 Account + ${CHILDREN} Contacts by @<id>, no External ID), one transaction`);
    for (const r of results) console.log(`${r.label}: ${r.seconds.toFixed(2)} s, ${r.calls} API calls, ${r.linked} of ${FAMILIES * CHILDREN} Contacts linked`);
    const [off, on] = results as [(typeof results)[0], (typeof results)[0]];
    console.log(`graphs / today: time ${(on.seconds / off.seconds).toFixed(2)}x, API calls ${(on.calls / off.calls).toFixed(2)}x`);
    console.log(on.machine);
  } finally {
    await emulator.stop();
  }
}

/** One run in a Postgres of its own (the emulator is shared; each run's names are prefixed): mappings, engine, families, measure. */
async function run(
  emulatorUrl: string,
  compositeGraphs: boolean,
  prefix: string,
  families: number,
): Promise<{ seconds: number; calls: number; linked: number; machine: string }> {
  const server = await providePostgres({ temporary: true });
  const client = new pg.Client(server.url);
  try {
    await migrate(server.url);
    await client.connect();
    const salesforce = { loginUrl: emulatorUrl, apiVersion: '59.0', ...DEFAULT_LOGIN };
    const config = loadConfig({
      env: {},
      cwd: '/nonexistent',
      overrides: { databaseUrl: server.url, salesforce, metrics: { port: 0 }, logLevel: 'silent', push: { compositeGraphs } },
    });
    const { rows } = await client.query<{ id: string }>(
      `insert into sfsync.connections (name, login_url, username, client_id) values ('bench', $1, $2, $3) returning id::text`,
      [emulatorUrl, salesforce.username, salesforce.clientId],
    );
    const connectionId = rows[0]!.id;
    const sf = new JsforceSalesforceClient(await connectSalesforce(config.salesforce));
    const common = { connectionId, mode: 'read_write' as const, streaming: 'off' as const, pollInterval: '1 hour' };
    await applyMapping(client, sf, { ...common, sobject: 'Account', fields: ['Name'] });
    await applyMapping(client, sf, { ...common, sobject: 'Contact', fields: ['LastName', 'AccountId'] });
    const engine = await startEngine({ config, databaseUrl: server.url });
    try {
      // Both loads and the polls after them done: nothing of the read path runs during the measure.
      await until(prefix, 'the loads', async () => {
        const { rows: r } = await client.query<{ ready: boolean }>(
          `select (select bool_and(state = 'active') from sfsync.mappings)
              and not exists (select 1 from graphile_worker.jobs where run_at <= now() or locked_at is not null) as ready`,
        );
        return r[0]!.ready;
      });
      const engineSf = await engine.context.salesforce(connectionId);
      const callsBefore = engineSf.callCount;
      const start = performance.now();
      await client.query(
        `with p as (insert into salesforce.account (name) select $3 || ' family ' || g from generate_series(1, $1) g returning id)
         insert into salesforce.contact (lastname, accountid) select $3 || ' child ' || p.id || '-' || k, '@' || p.id from p, generate_series(1, $2) k`,
        [families, CHILDREN, prefix],
      );
      await until(prefix, "every row's sfid", async () => {
        const { rows: r } = await client.query<{ open: number; unsent: number }>(
          `select (select coalesce(sum(pending), 0)::int from sfsync.outbox_status) as open,
                  (select count(*)::int from salesforce.account where sfid is null) + (select count(*)::int from salesforce.contact where sfid is null) as unsent`,
        );
        return r[0]!.open === 0 && r[0]!.unsent === 0;
      });
      const seconds = (performance.now() - start) / 1000;
      const calls = engineSf.callCount - callsBefore;
      const { rows: linked } = await client.query<{ n: number }>(
        `select count(*)::int as n from salesforce.contact c join salesforce.account a on a.sfid = c.accountid where c.lastname like $1`,
        [`${prefix} child %`],
      );
      console.error(`${prefix}: ${seconds.toFixed(2)} s, ${calls} calls`);
      return { seconds, calls, linked: linked[0]!.n, machine: await describeMachine(client) };
    } finally {
      await engine.stop();
    }
  } finally {
    await client.end().catch(() => undefined);
    await server.stop();
  }
}

/** Poll `done` every 50 ms; after 300 s fail naming what did not happen. */
async function until(prefix: string, what: string, done: () => Promise<boolean>): Promise<void> {
  const start = performance.now();
  while (!(await done())) {
    if (performance.now() - start > 300_000) throw new Error(`${prefix}: ${what} not done after 300 s`);
    await pause(50);
  }
}

await main();
