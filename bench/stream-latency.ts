/**
 * Salesforce write → row in Postgres with streaming on (issue 5, benchmark b):
 * p50 and p99 over N single-record updates made one at a time through the
 * REST API (a user's client, not sfsync's), with the poll interval at one hour
 * so every change arrives through CDC → debounced poll. Emulator latency off.
 * Target p50 ≤ 300 ms; Heroku Connect: 10 minutes by default (2 at best).
 *
 * The floor is the event's delivery delay (the emulator profile's
 * `streamDeliveryDelayMs`: 0, or 200 ms with BENCH_PROFILE=real) plus one
 * query round trip, the bench's own SOQL query timed after each update so
 * both see the same machine (goal: sfsync's p50 ≤ 1.2 × the floor).
 *
 *   npm run bench:stream-latency -- [updates=200]
 */
import jsforce from 'jsforce';
import pg from 'pg';
import { describeMachine } from './bench-machine.js';
import { latencyProfile } from 'salesforce-emulator';
import { percentile, startInboundBench } from './inbound-setup.js';
import { benchProfile, emitFigures, percentileOf } from './figures.js';

const N = Number(process.argv[2] ?? 200);

const profile = benchProfile();
const deliveryMs = latencyProfile(profile).streamDeliveryDelayMs ?? 0;
const bench = await startInboundBench({ emulator: { profile }, config: { poll: { upperLagMs: 1000, eventDebounceMs: 20 } } });
const watcher = new pg.Client(bench.databaseUrl);
try {
  await bench.emulator.seed('Account', 100);
  const mappingId = await bench.map({ sobject: 'Account', fields: ['Name', 'Industry'], pollInterval: '1 hour', streaming: 'auto' });
  await bench.startEngine();
  await watcher.connect();
  const ready = async () =>
    (await watcher.query("select 1 from sfsync.mappings where id = $1 and state = 'active'", [mappingId])).rowCount === 1 &&
    (await watcher.query('select 1 from sfsync.stream_state')).rowCount !== 0;
  for (let i = 0; !(await ready()); i++) {
    if (i > 3000) throw new Error('mapping not loaded/subscribed after 30 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const user = new jsforce.Connection({
    loginUrl: bench.emulator.url,
    version: '59.0',
    oauth2: { clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', loginUrl: bench.emulator.url },
    callOptions: { client: 'bench-user' },
  });
  await user.login('admin@sfsync.test', 'sfsync');
  const ids = (await user.query<{ Id: string }>('SELECT Id FROM Account LIMIT 100')).records.map((r) => r.Id);
  const latencies: number[] = [];
  const queries: number[] = [];
  for (let i = 0; i < N; i++) {
    const id = ids[i % ids.length]!;
    const name = `Latency ${i}`;
    await user.sobject('Account').update({ Id: id, Name: name });
    const written = performance.now();
    const deadline = written + 30_000;
    while ((await watcher.query('select 1 from salesforce.account where sfid = $1 and name = $2', [id, name])).rowCount === 0) {
      if (performance.now() > deadline) throw new Error(`${name} not in Postgres after 30 s`);
    }
    latencies.push(performance.now() - written);
    const sent = performance.now();
    await user.query(`SELECT Id, Name, Industry, SystemModstamp FROM Account WHERE Id = '${id}'`);
    queries.push(performance.now() - sent);
  }
  latencies.sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(0).padStart(8);
  console.log(
    `stream latency: Salesforce update (REST reply) → row in Postgres, ${N} updates one at a time, CDC, poll interval 1 h, emulator profile ${profile}\n`,
  );
  console.log('                                p50 ms    p99 ms    max ms');
  console.log(`sfsync (CDC → debounced poll) ${f(percentile(latencies, 50))}  ${f(percentile(latencies, 99))}  ${f(latencies.at(-1)!)}`);
  console.log(`Heroku Connect default poll   ${f(600_000)}  ${f(600_000)}  (10-minute polling; 2 minutes at best)`);
  console.log(
    `\np50 vs target 300 ms: ${(percentile(latencies, 50) / 300).toFixed(2)}×; vs Heroku Connect: ${Math.round(600_000 / percentile(latencies, 50))}× faster\n`,
  );
  const floor = deliveryMs + percentileOf(queries, 50);
  console.log(
    `floor: delivery ${deliveryMs} ms + one query round trip (p50 ${percentileOf(queries, 50).toFixed(0)} ms) = ${floor.toFixed(0)} ms; sfsync p50 ÷ floor: ${(percentile(latencies, 50) / floor).toFixed(2)}× (goal ≤ 1.2×)\n`,
  );
  const machine = await describeMachine(watcher);
  console.log(machine);
  emitFigures(
    [
      {
        part: 'stream-latency',
        name: 'Salesforce write → row p50',
        profile,
        value: percentile(latencies, 50),
        unit: 'ms',
        better: 'lower',
        baseline: { label: 'Heroku Connect default poll (10 min)', value: 600_000 },
        floor: { label: 'event delivery + one SOQL query round trip (p50)', value: floor },
        goal: { atMost: 1.2 },
      },
      { part: 'stream-latency', name: 'Salesforce write → row p99', profile, value: percentile(latencies, 99), unit: 'ms', better: 'lower' },
    ],
    machine,
  );
} finally {
  await watcher.end().catch(() => undefined);
  await bench.stop();
}
