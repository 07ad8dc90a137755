/**
 * API calls (issue 5, benchmark c), counted by sfsync's own SalesforceClient
 * (every HTTP request jsforce sends; CometD long-polls are Streaming API
 * traffic, not API requests, and are not counted — as Salesforce does):
 *  1. an idle mapping with streaming on, over a measured interval,
 *     extrapolated to an hour — at the default poll interval (30 s), and derived
 *     for 10 minutes (what streaming makes safe) from the cost of one poll cycle;
 *  2. 10,000 changed records with streaming on (changes in bursts of 500).
 * Heroku Connect's baseline for an idle mapping: one query per poll, 6/hour
 * at its 10-minute default and 30/hour at its 2-minute minimum.
 *
 *   npm run bench:api-calls -- [idleSeconds=60]
 */
import { describeMachine } from './bench-machine.js';
import { startInboundBench } from './inbound-setup.js';

const IDLE_S = Number(process.argv[2] ?? 60);

async function idle(pollInterval: string, driftDelay: string, settleMs: number): Promise<number> {
  const bench = await startInboundBench();
  try {
    await bench.emulator.seed('Account', 1000);
    const mappingId = await bench.map({ sobject: 'Account', fields: ['Name', 'Industry'], pollInterval, driftDelay, streaming: 'auto' });
    const engine = await bench.startEngine();
    for (let i = 0; (await bench.pool.query("select 1 from sfsync.mappings where id = $1 and state = 'active'", [mappingId])).rowCount === 0; i++) {
      if (i > 3000) throw new Error('not loaded');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const client = await engine.context.salesforce(bench.connectionId);
    // Let the load's first poll and its drift re-poll pass, then measure.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const before = client.callCount;
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
    return ((client.callCount - before) / IDLE_S) * 3600;
  } finally {
    await bench.stop();
  }
}

async function changes(count: number): Promise<{ calls: number; ms: number }> {
  const bench = await startInboundBench();
  try {
    const mappingId = await bench.map({
      sobject: 'Account',
      fields: ['Name', 'Industry'],
      pollInterval: '10 minutes',
      driftDelay: '10 minutes',
      streaming: 'auto',
    });
    const engine = await bench.startEngine();
    for (
      let i = 0;
      (await bench.pool.query('select 1 from sfsync.stream_state')).rowCount === 0 ||
      (await bench.pool.query("select 1 from sfsync.mappings where id = $1 and state = 'active'", [mappingId])).rowCount === 0;
      i++
    ) {
      if (i > 3000) throw new Error('not loaded/subscribed');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const client = await engine.context.salesforce(bench.connectionId);
    const before = client.callCount;
    const started = performance.now();
    for (let done = 0; done < count; done += 500) await bench.emulator.seed('Account', 500, { Name: `Changed ${done}-{n}` });
    for (;;) {
      const { rows } = await bench.pool.query<{ n: number }>('select count(*)::int as n from salesforce.account');
      if (rows[0]!.n >= count) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { calls: client.callCount - before, ms: performance.now() - started };
  } finally {
    await bench.stop();
  }
}

const idleDefault = await idle('30 seconds', '10 seconds', 12_000);
// Drift re-polls are coalesced per mapping, at most one per drift delay (tasks/drift.ts): with a
// delay longer than the poll interval one re-poll covers several windows. Measured at 5 s / 30 s.
const idleCoalesced = await idle('5 seconds', '30 seconds', 35_000);
// A 10-minute interval cannot be sampled in a minute: derive it from the measured cost of one poll cycle.
const perCycle = idleDefault / (3600 / 30);
const idleLong = perCycle * (3600 / 600);
// The defaults (30 s polls, 10-minute drift delay): 120 primaries + one re-poll per drift delay (6/h),
// each a single REST query when idle.
const idleDefaults = 3600 / 30 + 3600 / 600;
const burst = await changes(10_000);
console.log(`API calls, streaming on (CDC), counted by sfsync's client; idle measured over ${IDLE_S} s and extrapolated\n`);
console.log('                                                   calls/hour   vs Heroku Connect (10-min / 2-min polling)');
console.log(
  `idle mapping, poll interval 30 s (+ drift re-polls)  ${idleDefault.toFixed(0).padStart(9)}   ${(idleDefault / 6).toFixed(1)}× / ${(idleDefault / 30).toFixed(1)}×`,
);
console.log(`(${perCycle.toFixed(2)} calls per poll cycle with a 10 s drift delay: shorter than the interval, so one re-poll per window)`);
console.log(
  `idle mapping, poll 5 s, drift delay 30 s (measured)  ${idleCoalesced.toFixed(0).padStart(9)}   (one re-poll per window would be ${((2 * 3600) / 5).toFixed(0)})`,
);
console.log(
  `idle mapping, poll 30 s, drift 10 min (defaults, derived) ${idleDefaults.toFixed(0).padStart(4)}   ${(idleDefaults / 6).toFixed(1)}× / ${(idleDefaults / 30).toFixed(1)}×  (one re-poll per window would be 240)`,
);
console.log(
  `idle mapping, poll interval 10 min (derived)         ${idleLong.toFixed(0).padStart(9)}   ${(idleLong / 6).toFixed(1)}× / ${(idleLong / 30).toFixed(1)}×`,
);
console.log(
  `\n10,000 created records (20 bursts of 500): ${burst.calls} API calls (${(burst.calls / 10).toFixed(1)} per 1,000 records; ${(10_000 / Math.max(1, burst.calls)).toFixed(0)} records per call), all in Postgres after ${(burst.ms / 1000).toFixed(1)} s\n`,
);
const b = await startInboundBench();
const c = await b.pool.connect();
console.log(await describeMachine(c));
c.release();
await b.stop();
