/**
 * The soak: both apps writing to both sides of a two-way sync for a while,
 * with faults on a timeline (5xx, locked rows, dropped events, late commits,
 * expired sessions, an API-limit outage, a Postgres restart, dropped streaming
 * clients, SIGKILLed engines, lost replies; the engines stream over CometD and
 * the Pub/Sub API in turn, so a kill moves the subscriptions between them), then an oracle that waits for
 * quiet and checks that both sides hold the same records, each exactly once,
 * and that a change-feed subscriber reading throughout got every change in
 * order per record. Exits 0 when they converge and the feed is whole, 1 when
 * not (offenders listed), 2 on a
 * usage or set-up error.
 *
 *   npm run soak -- --seed 42 --seconds 150 [--faults a,b,c|all|none] [--engines 2] [--transports cometd,pubsub] [--quiet-timeout 120] [--keep]
 */
import { parseSoakArgs } from './soak/options.js';
import { runSoak } from './soak/run-soak.js';

let options;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  console.error(`soak: ${(error as Error).message}`);
  process.exit(2);
}
try {
  const result = await runSoak(options);
  console.log(result.lastLine);
  const feedWhole = result.feed !== undefined && result.feed.missed + result.feed.outOfOrder + result.feed.readerProblems === 0;
  process.exit(result.converged && feedWhole ? 0 : 1);
} catch (error) {
  console.error(`soak: failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(2);
}
