/**
 * 100,000 updated rows → Salesforce (issue 4, benchmark c): records/s and
 * records per API call, through sObject Collections (bulk threshold raised
 * out of reach) and with the default Bulk API 2.0 threshold (2,000), side by
 * side, with the default push concurrency (4 calls in flight).
 *
 * The records are created in the emulator first and reach Postgres through
 * the mapping's initial load (the real path; startBenchSync waits for it), so
 * nothing races the load. API calls are the push's only: the delta of the
 * engine's SalesforceClient.callCount over the push (polls are an hour apart
 * and streaming is off, so no read-path call falls inside it).
 * Target ≥ 190 records per call through Collections; Bulk above the threshold.
 *
 *   npm run bench:push-throughput -- [rows=100000]
 *   BENCH_CONCURRENCY=1 npm run bench:push-throughput   (Collections calls in flight)
 */
import type { Org } from 'salesforce-emulator';
import { describeMachine } from './bench-machine.js';
import { startBenchSync } from './bench-sync.js';

const N = Number(process.argv[2] ?? 100_000);

function seed(org: Org): void {
  for (let i = 0; i < N; i += 5000) {
    const ops = Array.from({ length: Math.min(5000, N - i) }, (_, k) => ({
      kind: 'create' as const,
      object: 'Account',
      values: { Name: `Row ${i + k}`, NumberOfEmployees: 0 },
    }));
    org.write(ops, { allOrNone: true }, org.systemContext());
  }
}

async function run(label: string, bulkThreshold: number): Promise<string> {
  const concurrency = process.env.BENCH_CONCURRENCY ? Number(process.env.BENCH_CONCURRENCY) : undefined;
  const sync = await startBenchSync({ bulkThreshold, ...(concurrency ? { concurrency } : {}) }, { seed });
  try {
    const org = sync.emulator.org;
    const sf = await sync.salesforce();
    const callsBefore = sf.callCount;
    const start = performance.now();
    await sync.client.query('update salesforce.account set numberofemployees = numberofemployees + 1');
    for (;;) {
      const { rows } = await sync.client.query<{ n: string }>(`select count(*) as n from sfsync.outbox where state in ('new', 'claimed')`);
      if (rows[0]!.n === '0') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - start) / 1000;
    machine = await describeMachine(sync.client);
    const calls = sf.callCount - callsBefore;
    const ok = org.list('Account').filter((r) => r.values.NumberOfEmployees === 1).length;
    return `${label.padEnd(34)} ${(N / seconds).toFixed(0).padStart(10)}  ${calls.toString().padStart(9)}  ${(N / calls).toFixed(1).padStart(13)}  ${seconds.toFixed(1).padStart(7)}  ${ok === N ? 'all arrived' : `${ok}/${N} arrived`}`;
  } finally {
    await sync.stop();
  }
}

let machine = '';
const lines = [await run('sObject Collections (200/call)', 10_000_000), await run('Bulk API 2.0 (threshold 2,000)', 2000)];
console.log(`push throughput: ${N} rows updated in one statement, push.concurrency ${process.env.BENCH_CONCURRENCY ?? '4 (default)'}\n`);
console.log(`${'path'.padEnd(34)} ${'records/s'.padStart(10)}  ${'API calls'.padStart(9)}  ${'records/call'.padStart(13)}  ${'seconds'.padStart(7)}`);
for (const line of lines) console.log(line);
console.log('target: ≥ 190 records per call through Collections; Heroku Connect: one serial loop, ≤ 200 per call');
console.log(`\n${machine}`);
