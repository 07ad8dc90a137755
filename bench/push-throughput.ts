/**
 * N updated rows → Salesforce (issue 4, benchmark c): records/s and records
 * per API call, through sObject Collections (bulk threshold raised out of
 * reach) and with the default Bulk API 2.0 threshold (2,000), side by side,
 * with the default push concurrency (4 calls in flight), each beside its
 * floor (push-run.ts): Collections against `concurrency × 200 ÷ round trip`
 * (goal ≥ 80 %), Bulk against one bare Bulk job of the same records.
 *
 * API calls are the push's only: the delta of the engine's
 * SalesforceClient.callCount over the push (polls are an hour apart and
 * streaming is off, so no read-path call falls inside it).
 * Target ≥ 190 records per call through Collections; Bulk above the threshold.
 *
 *   npm run bench:push-throughput -- [rows=100000]
 *   BENCH_CONCURRENCY=1 npm run bench:push-throughput   (Collections calls in flight)
 *   BENCH_PROFILE=real npm run bench:push-throughput -- 20000
 *   BENCH_PATHS=collections npm run bench:push-throughput   (one path only: collections or bulk)
 */
import { benchProfile, emitFigures, type Figure } from './figures.js';
import { runPush } from './push-run.js';

const N = Number(process.argv[2] ?? 100_000);
const profile = benchProfile();
const concurrency = process.env.BENCH_CONCURRENCY ? Number(process.env.BENCH_CONCURRENCY) : 4;

const paths = [
  { label: 'sObject Collections (200/call)', name: 'Collections', bulkThreshold: 10_000_000 },
  { label: 'Bulk API 2.0 (threshold 2,000)', name: 'Bulk API 2.0', bulkThreshold: 2000 },
];
// BENCH_PATHS=collections (or bulk) runs one path only.
const only = process.env.BENCH_PATHS;
const figures: Figure[] = [];
const lines: string[] = [];
let machine = '';
for (const path of paths.filter((p) => only === undefined || p.name.toLowerCase().startsWith(only.toLowerCase()))) {
  const run = await runPush({ rows: N, bulkThreshold: path.bulkThreshold, concurrency, profile });
  machine = run.machine;
  lines.push(
    `${path.label.padEnd(34)} ${run.recordsPerSecond.toFixed(0).padStart(10)}  ${run.calls.toString().padStart(9)}  ${(N / run.calls).toFixed(1).padStart(13)}  ${run.seconds.toFixed(1).padStart(7)}  ${run.floorRecordsPerSecond.toFixed(0).padStart(9)}  ${run.arrived === N ? 'all arrived' : `${run.arrived}/${N} arrived`}`,
  );
  console.error(
    `${path.name}: UPDATE committed after ${run.committedMs.toFixed(0)} ms, first record visible after ${run.firstVisibleMs.toFixed(0)} ms, last ${run.sendingMs.toFixed(0)} ms after that; total ${(run.seconds * 1000).toFixed(0)} ms`,
  );
  const collections = path.name === 'Collections';
  figures.push({
    part: 'push-throughput',
    name: `${path.name}, ${N.toLocaleString('en-US')} rows from COMMIT`,
    profile,
    value: run.recordsPerSecond,
    unit: 'records/s',
    better: 'higher',
    floor: collections
      ? { label: `concurrency ${concurrency} × 200 records ÷ one Collections round trip (p50 ${run.floorMs.toFixed(0)} ms)`, value: run.floorRecordsPerSecond }
      : { label: 'one bare Bulk API 2.0 job of the same records, sent by the bench', value: run.floorRecordsPerSecond },
    // At latency 0 the ceiling is the CPU (engine, emulator and Postgres share 2 cores), not round trips: the goal is judged with the profile.
    ...(collections && profile === 'real' ? { goal: { atLeast: 0.8 } } : {}),
  });
  figures.push({ part: 'push-throughput', name: `${path.name}, records per API call`, profile, value: N / run.calls, unit: 'records/call', better: 'higher' });
}
console.log(`push throughput: ${N} rows updated in one statement, push.concurrency ${concurrency}, emulator profile ${profile}\n`);
console.log(
  `${'path'.padEnd(34)} ${'records/s'.padStart(10)}  ${'API calls'.padStart(9)}  ${'records/call'.padStart(13)}  ${'seconds'.padStart(7)}  ${'floor r/s'.padStart(9)}`,
);
for (const line of lines) console.log(line);
console.log('target: ≥ 190 records per call through Collections, ≥ 80 % of the floor; Heroku Connect: one serial loop, ≤ 200 per call');
console.log(`\n${machine}`);
emitFigures(figures, machine);
