/**
 * Salesforce write → row in Postgres with streaming on (issue 5, benchmark b;
 * issue 15: CometD and the Pub/Sub API side by side): p50 and p99 over N
 * single-record updates made one at a time through the REST API (a user's
 * client, not sfsync's), with the poll interval at one hour so every change
 * arrives through CDC → debounced poll. Emulator latency off. The transports
 * alternate in rounds on the same Postgres and emulator (an engine per
 * round), so a busy neighbour on a shared machine weighs on both alike.
 * Target p50 ≤ 300 ms; Heroku Connect: 10 minutes by default (2 at best).
 *
 *   npm run bench:stream-transports -- [updates=200] [--transport cometd|pubsub|both] [--rounds 4]   (BENCH_LOG=1: engines log at debug)
 */
import { parseArgs } from 'node:util';
import jsforce from 'jsforce';
import pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import type { SfsyncConfig } from '../src/config/config-schema.js';
import { describeMachine } from './bench-machine.js';
import { percentile, startInboundBench } from './inbound-setup.js';

const { values, positionals } = parseArgs({
  options: { transport: { type: 'string', default: 'both' }, rounds: { type: 'string', default: '4' } },
  allowPositionals: true,
});
const N = Number(positionals[0] ?? 200);
const ROUNDS = Number(values.rounds);
if (!['cometd', 'pubsub', 'both'].includes(values.transport)) throw new Error(`--transport is cometd, pubsub or both, not "${values.transport}"`);
const transports = (values.transport === 'both' ? ['cometd', 'pubsub'] : [values.transport]) as Array<'cometd' | 'pubsub'>;

const bench = await startInboundBench({ config: { poll: { upperLagMs: 1000, eventDebounceMs: 20 } } });
const watcher = new pg.Client(bench.databaseUrl);
const configOf = (transport: 'cometd' | 'pubsub'): SfsyncConfig =>
  loadConfig({
    env: {},
    cwd: '/nonexistent',
    overrides: {
      ...bench.config,
      ...(process.env.BENCH_LOG ? { logLevel: 'debug' as const } : {}),
      salesforce: { ...bench.config.salesforce, streamingTransport: transport, pubsubUrl: `http://${bench.emulator.pubsub}` },
    },
  });
try {
  await bench.emulator.seed('Account', 100);
  const mappingId = await bench.map({ sobject: 'Account', fields: ['Name', 'Industry'], pollInterval: '1 hour', streaming: 'auto' });
  await watcher.connect();
  const user = new jsforce.Connection({
    loginUrl: bench.emulator.url,
    version: '59.0',
    oauth2: { clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', loginUrl: bench.emulator.url },
    callOptions: { client: 'bench-user' },
  });
  await user.login('admin@sfsync.test', 'sfsync');
  const ids = (await user.query<{ Id: string }>('SELECT Id FROM Account LIMIT 100')).records.map((r) => r.Id);
  let seq = 0;
  /** One update → the row in Postgres, ms. */
  const measureOne = async (): Promise<number> => {
    const i = seq++;
    const id = ids[i % ids.length]!;
    const name = `Latency ${i}`;
    await user.sobject('Account').update({ Id: id, Name: name });
    const written = performance.now();
    const deadline = written + 30_000;
    while ((await watcher.query('select 1 from salesforce.account where sfid = $1 and name = $2', [id, name])).rowCount === 0) {
      if (performance.now() > deadline) throw new Error(`${name} not in Postgres after 30 s`);
    }
    return performance.now() - written;
  };
  const latencies = new Map(transports.map((t) => [t, [] as number[]]));
  const perRound = Math.ceil(N / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const transport of round % 2 === 0 ? transports : [...transports].reverse()) {
      const since = (await watcher.query<{ now: Date }>('select now()')).rows[0]!.now;
      const engine = await bench.startEngine(configOf(transport));
      const ready = async () =>
        (await watcher.query("select 1 from sfsync.mappings where id = $1 and state = 'active'", [mappingId])).rowCount === 1 &&
        (await watcher.query('select 1 from sfsync.stream_state where updated_at >= $1', [since])).rowCount !== 0;
      for (let i = 0; !(await ready()); i++) {
        if (i > 3000) throw new Error('mapping not loaded/subscribed after 30 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (let i = 0; i < 3; i++) await measureOne(); // warm-up: first events after a subscribe, not counted
      for (let i = 0; i < perRound; i++) latencies.get(transport)!.push(await measureOne());
      await engine.stop();
    }
  }
  const f = (v: number) => v.toFixed(0).padStart(8);
  console.log(
    `stream latency: Salesforce update (REST reply) → row in Postgres, ${perRound * ROUNDS} updates per transport one at a time in ${ROUNDS} alternating rounds, CDC, poll interval 1 h, emulator latency off\n`,
  );
  console.log('                                       p50 ms    p99 ms    max ms');
  const p50 = new Map<string, number>();
  for (const [transport, values] of latencies) {
    values.sort((a, b) => a - b);
    p50.set(transport, percentile(values, 50));
    const label = transport === 'cometd' ? 'sfsync, CometD (CDC → debounced poll)' : 'sfsync, Pub/Sub API (gRPC + Avro)   ';
    console.log(`${label} ${f(percentile(values, 50))}  ${f(percentile(values, 99))}  ${f(values.at(-1)!)}`);
  }
  console.log(`Heroku Connect default poll            ${f(600_000)}  ${f(600_000)}  (10-minute polling; 2 minutes at best)`);
  const best = Math.min(...p50.values());
  if (p50.size === 2) {
    const p99 = (t: string) => percentile(latencies.get(t as 'cometd')!, 99);
    console.log(`\nPub/Sub ÷ CometD: p50 ${(p50.get('pubsub')! / p50.get('cometd')!).toFixed(2)}×, p99 ${(p99('pubsub') / p99('cometd')).toFixed(2)}×`);
  }
  console.log(`best p50 vs target 300 ms: ${(best / 300).toFixed(2)}×; vs Heroku Connect: ${Math.round(600_000 / best)}× faster\n`);
  console.log(await describeMachine(watcher));
} finally {
  await watcher.end().catch(() => undefined);
  await bench.stop();
}
