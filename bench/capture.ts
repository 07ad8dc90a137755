/**
 * Capture overhead (issue 4, benchmark a): single-row INSERT and UPDATE
 * transactions per second on a read_write mapped table (the generated
 * row-level trigger the mapping ships) against the same table unmapped, and
 * against the statement-level (transition tables) variant, side by side in
 * one run. Target: mapped ≥ 75 % of unmapped.
 *
 * One Postgres with fsync on, measured two ways per session:
 * - durable commits (synchronous_commit on, Postgres's default): what an app
 *   on a real server sees;
 * - free commits (synchronous_commit off): the commit costs almost nothing,
 *   so the trigger's share is at its largest — the worst case.
 * A warm-up round is run and discarded; each round runs every variant back to
 * back and the figure is the median of the per-round ratios (see run()).
 *
 *   npm run bench:capture -- [transactionsPerRound=1000] [rounds=9]
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { migrate } from '../src/db/migrate.js';
import { providePostgres } from '../src/db/provide-postgres.js';
import { startEmulator } from '../src/emulator/index.js';
import { applyMapping } from '../src/mapping/apply-mapping.js';
import { connectSalesforce } from '../src/salesforce/connect.js';
import { JsforceSalesforceClient } from '../src/salesforce/jsforce-client.js';
import { describeMachine } from './bench-machine.js';

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 9);
const FIELDS = ['Name', 'AccountNumber', 'Phone', 'Website', 'Industry', 'AnnualRevenue', 'NumberOfEmployees', 'Description'];
const VARIANTS = [
  { label: 'unmapped (no trigger)', table: 'bench_plain.account' },
  { label: 'mapped, row-level (shipped)', table: 'salesforce.account' },
  { label: 'mapped, statement-level', table: 'bench_stmt.account' },
] as const;
const COMMITS = [
  { label: 'durable commits (synchronous_commit on, the default)', setting: 'on' },
  { label: 'free commits (synchronous_commit off): the worst case for a trigger', setting: 'off' },
] as const;

async function setUp(client: pg.Client): Promise<void> {
  const emulator = await startEmulator({ port: 0 });
  try {
    const conn = await connectSalesforce({ loginUrl: emulator.url, apiVersion: '59.0', username: 'admin@sfsync.test', password: 'sfsync', clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', callOptionsClient: 'sfsync' });
    const { rows } = await client.query<{ id: string }>(`insert into sfsync.connections (name, login_url) values ('bench', $1) returning id`, [emulator.url]);
    const plan = await applyMapping(client, new JsforceSalesforceClient(conn), { connectionId: rows[0]!.id, sobject: 'Account', fields: FIELDS, mode: 'read_write' });
    await client.query('create schema bench_plain; create table bench_plain.account (like salesforce.account including all)');
    await client.query('create schema bench_stmt; create table bench_stmt.account (like salesforce.account including all)');
    await client.query(readFileSync(new URL('./capture-statement-level.sql', import.meta.url), 'utf8'));
    const cols = `'{${FIELDS.map((f) => f.toLowerCase()).join(',')}}'`;
    const flds = `'{${FIELDS.join(',')}}'`;
    for (const [event, ref] of [['insert', 'new table as new_rows'], ['update', 'old table as old_rows new table as new_rows'], ['delete', 'old table as old_rows']]) {
      await client.query(`create trigger tg_${event} after ${event} on bench_stmt.account referencing ${ref} for each statement execute function sfsync_bench.capture_stmt('${plan.mappingId}', ${cols}, ${flds})`);
    }
  } finally {
    await emulator.stop();
  }
}

async function rate(client: pg.Client, sql: string, params: (i: number) => unknown[]): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await client.query(sql, params(i));
  return N / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** One statement kind's SQL and parameters. */
interface Kind { name: 'insert' | 'update'; run(client: pg.Client, table: string): Promise<number> }

const KINDS: Kind[] = [
  {
    name: 'insert',
    run: (client, table) => rate(client, `insert into ${table} (name, phone, annualrevenue, numberofemployees) values ($1, $2, $3, $4)`, (i) => [`Acme ${i}`, `555-${i}`, i * 10, i]),
  },
  {
    name: 'update',
    async run(client, table) {
      const { rows } = await client.query<{ lo: string; hi: string }>(`select min(id) as lo, max(id) as hi from ${table}`);
      const lo = Number(rows[0]!.lo);
      const span = Number(rows[0]!.hi) - lo + 1;
      return rate(client, `update ${table} set phone = $1 where id = $2`, (i) => [`556-${i}-${Math.random()}`, lo + ((i * 7919) % span)]);
    },
  },
];

/** Per variant and kind: the rate of each round, and its ratio to the unmapped rate of the same round. */
type Samples = Map<string, Record<Kind['name'], { rates: number[]; ratios: number[] }>>;

/**
 * ROUNDS rounds after one discarded warm-up. Within a round each kind runs
 * on every variant back to back, so a ratio compares runs seconds apart: the
 * machine's drift (fsync latency on shared storage varies a lot) cancels, and
 * the median ratio over rounds is the figure.
 */
async function run(client: pg.Client): Promise<Samples> {
  const samples: Samples = new Map(VARIANTS.map((v) => [v.label, { insert: { rates: [], ratios: [] }, update: { rates: [], ratios: [] } }]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const kind of KINDS) {
      let plain = 0;
      for (const v of VARIANTS) {
        const r = await kind.run(client, v.table);
        if (v === VARIANTS[0]) plain = r;
        if (round < 0) continue;
        const s = samples.get(v.label)![kind.name];
        s.rates.push(r);
        s.ratios.push(r / plain);
      }
    }
  }
  return samples;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function report(title: string, samples: Samples): void {
  const cell = (s: { rates: number[]; ratios: number[] }) =>
    `${mean(s.rates).toFixed(0).padStart(11)}   ${`${(100 * median(s.ratios)).toFixed(0)} %`.padStart(11)} ${`(${(100 * Math.min(...s.ratios)).toFixed(0)}–${(100 * Math.max(...s.ratios)).toFixed(0)})`.padStart(11)}`;
  console.log(`\n${title}`);
  console.log('variant                        INSERT tx/s   vs unmapped (range)      UPDATE tx/s   vs unmapped (range)');
  for (const [label, s] of samples) console.log(`${label.padEnd(30)} ${cell(s.insert)}   ${cell(s.update)}`);
}

async function main(): Promise<void> {
  const server = await providePostgres({ temporary: true, durable: true });
  const client = new pg.Client(server.url);
  try {
    await migrate(server.url);
    await client.connect();
    await setUp(client);
    console.log(`capture overhead: ${N} single-row transactions per statement kind, variant and round; ${ROUNDS} rounds after a warm-up`);
    console.log('tx/s: mean over rounds; vs unmapped: median over rounds of the ratio to the unmapped run of the same round');
    for (const commit of COMMITS) {
      await client.query(`set synchronous_commit = ${commit.setting}`);
      report(commit.label, await run(client));
    }
    console.log('\ntarget: mapped ≥ 75 % of unmapped\n' + (await describeMachine(client)));
  } finally {
    await client.end().catch(() => undefined);
    await server.stop();
  }
}

await main();
