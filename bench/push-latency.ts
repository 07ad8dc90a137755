/**
 * COMMIT → record visible in the emulator (latency control off), p50/p99 over
 * N single-row commits, one at a time (issue 4, benchmark b). Visibility is
 * observed in-process through the emulator org's change events (`onChange`),
 * which fire when a write becomes visible to queries. Target p50 ≤ 50 ms,
 * p99 ≤ 250 ms; Heroku Connect's baseline: 10 s at best after a pg_notify,
 * 2 minutes by default.
 *
 *   npm run bench:push-latency -- [commits=1000]
 */
import { describeMachine } from './bench-machine.js';
import { startBenchSync } from './bench-sync.js';

const N = Number(process.argv[2] ?? 1000);

const sync = await startBenchSync();
try {
  const seen = new Map<string, number>();
  const off = sync.emulator.org.onChange((event) => {
    const value = event.record.Name;
    if (typeof value === 'string' && !seen.has(value)) seen.set(value, performance.now());
  });
  const latencies: number[] = [];
  for (let i = 0; i < N; i++) {
    const name = `Latency ${i}`;
    await sync.client.query('insert into salesforce.account (name) values ($1)', [name]);
    const committed = performance.now();
    const deadline = committed + 10_000;
    while (!seen.has(name)) {
      if (performance.now() > deadline) throw new Error(`${name} not visible after 10 s`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    latencies.push(seen.get(name)! - committed);
  }
  off();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  console.log(`push latency, COMMIT → visible in the emulator, ${N} single-row commits (debounce ${5} ms)\n`);
  console.log('              p50 ms    p99 ms    max ms');
  console.log(`sfsync      ${pct(50).padStart(8)}  ${pct(99).padStart(8)}  ${latencies.at(-1)!.toFixed(1).padStart(8)}`);
  console.log(`target      ${'50.0'.padStart(8)}  ${'250.0'.padStart(8)}`);
  console.log(`Heroku Connect (documented): ≥ 10,000 ms after pg_notify, 120,000 ms default\n`);
  console.log(await describeMachine(sync.client));
} finally {
  await sync.stop();
}
