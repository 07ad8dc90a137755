/**
 * COMMIT → record visible in the emulator, p50/p99 over N single-row commits,
 * one at a time (issue 4, benchmark b). Visibility is observed in-process
 * through the emulator org's change events (`onChange`), which fire when a
 * write becomes visible to queries. Target p50 ≤ 50 ms, p99 ≤ 250 ms;
 * Heroku Connect's baseline: 10 s at best after a pg_notify, 2 minutes by
 * default.
 *
 * The floor is one round trip: the same one-record Collections create, sent
 * by the bench itself and timed the same way (call sent → visible), one
 * after each sfsync commit so both see the same machine (goal: sfsync's p50
 * ≤ 1.2 × the floor's). BENCH_PROFILE=real runs it at a real org's speed
 * (salesforce-emulator's `real` profile).
 *
 *   npm run bench:push-latency -- [commits=1000]
 */
import { describeMachine } from './bench-machine.js';
import { startBenchSync } from './bench-sync.js';
import { benchProfile, emitFigures, percentileOf } from './figures.js';

const N = Number(process.argv[2] ?? 1000);
const profile = benchProfile();

const sync = await startBenchSync({}, { profile });
try {
  const seen = new Map<string, number>();
  const off = sync.emulator.org.onChange((event) => {
    const value = event.record.Name;
    if (typeof value === 'string' && !seen.has(value)) seen.set(value, performance.now());
  });
  const visible = async (name: string, from: number): Promise<number> => {
    while (!seen.has(name)) {
      if (performance.now() > from + 10_000) throw new Error(`${name} not visible after 10 s`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return seen.get(name)! - from;
  };
  const sf = await sync.salesforce();
  const latencies: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < N; i++) {
    const name = `Latency ${i}`;
    await sync.client.query('insert into salesforce.account (name) values ($1)', [name]);
    latencies.push(await visible(name, performance.now()));
    // The floor: the same call without sfsync (its record is unmapped noise in the org, never in Postgres: polls are an hour apart).
    const direct = `Direct ${i}`;
    const sent = performance.now();
    await sf.create('Account', [{ Name: direct }]);
    floor.push(await visible(direct, sent));
  }
  off();
  const pct = (xs: number[], p: number) => percentileOf(xs, p).toFixed(1);
  console.log(`push latency, COMMIT → visible in the emulator, ${N} single-row commits (debounce ${5} ms), emulator profile ${profile}\n`);
  console.log('                                   p50 ms    p99 ms    max ms');
  console.log(`sfsync                           ${pct(latencies, 50).padStart(8)}  ${pct(latencies, 99).padStart(8)}  ${pct(latencies, 100).padStart(8)}`);
  console.log(`floor: one Collections call      ${pct(floor, 50).padStart(8)}  ${pct(floor, 99).padStart(8)}  ${pct(floor, 100).padStart(8)}`);
  console.log(`target                           ${'50.0'.padStart(8)}  ${'250.0'.padStart(8)}`);
  console.log(`Heroku Connect (documented): ≥ 10,000 ms after pg_notify, 120,000 ms default\n`);
  console.log(`sfsync p50 ÷ floor p50: ${(percentileOf(latencies, 50) / percentileOf(floor, 50)).toFixed(2)}× (goal ≤ 1.2×)\n`);
  const machine = await describeMachine(sync.client);
  console.log(machine);
  const floorLabel = 'one Collections create sent by the bench, call → visible (p50)';
  const hc = { label: 'Heroku Connect, documented best case after pg_notify', value: 10_000 };
  emitFigures(
    [
      {
        part: 'push-latency',
        name: 'COMMIT → Salesforce p50',
        profile,
        value: percentileOf(latencies, 50),
        unit: 'ms',
        better: 'lower',
        baseline: hc,
        floor: { label: floorLabel, value: percentileOf(floor, 50) },
        goal: { atMost: 1.2 },
      },
      {
        part: 'push-latency',
        name: 'COMMIT → Salesforce p99',
        profile,
        value: percentileOf(latencies, 99),
        unit: 'ms',
        better: 'lower',
        baseline: hc,
        floor: { label: 'the same call, p99', value: percentileOf(floor, 99) },
      },
    ],
    machine,
  );
} finally {
  await sync.stop();
}
