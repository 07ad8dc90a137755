/**
 * One soak run, end to end: its own Postgres and emulator process, the sync
 * set up through the `sfsync` command, N engines, both apps writing for the
 * run's length while the fault timeline breaks things, then the oracle waits
 * for quiet and judges. Everything started is stopped and removed afterwards,
 * pass or fail (and on SIGINT/SIGTERM).
 *
 * @example
 * const result = await runSoak({ seed: 1, seconds: 60 });
 * console.log(result.lastLine);
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AppDb, pause } from './app-db.js';
import { CleanupStack, cleanUpOnSignal } from './cleanup.js';
import { setUpThroughCli, waitForActiveMappings } from './cli-setup.js';
import { waitForQuiet } from './converge.js';
import { EmulatorControl } from './emulator-control.js';
import { startEmulatorProcess } from './emulator-process.js';
import { EngineFleet } from './engine-fleet.js';
import { FaultTimeline } from './fault-timeline.js';
import { judgeFeed, type FeedVerdict } from './feed-oracle.js';
import { FeedReader } from './feed-reader.js';
import { Ledger } from './ledger.js';
import { Monitor } from './monitor.js';
import { DEFAULT_OPTIONS, type SoakOptions } from './options.js';
import { PgWorkload } from './pg-workload.js';
import { startSoakPostgres } from './postgres-server.js';
import { createRng } from './prng.js';
import { RecordPool } from './record-pool.js';
import { failedText, lastLine, offenderLines } from './report.js';
import { SalesforceRest } from './salesforce-rest.js';
import { settleUnknowns } from './settle.js';
import { takeSnapshot } from './snapshot.js';
import { SfWorkload } from './sf-workload.js';
import { StreamLeaderSampler, streamingText, type StreamingSummary } from './stream-leaders.js';
import { LOOPS_PER_SIDE, runWorkload, type Stepper } from './workload.js';

/** API calls a day the soak's org allows: far more than a 10-minute run makes (about 60,000). */
const DAILY_API_LIMIT = 5_000_000;

/** What a run found. */
export interface SoakResult {
  ops: number;
  kills: number;
  converged: boolean;
  /** Seconds the oracle waited (to convergence, or the quiet timeout). */
  seconds: number;
  lost: number;
  dup: number;
  mismatch: number;
  unsent: number;
  /** The largest open-outbox count sampled during the workload. */
  maxBacklog: number;
  /** Times each fault fired. */
  faultsFired: Record<string, number>;
  /** Failed changes by Salesforce error code. */
  failedByCode: Record<string, { rightful: number; wrong: number }>;
  /** The first offenders, one line each. */
  offenders: string[];
  /** Engines that exited by themselves. */
  engineCrashes: string[];
  /** Each engine's streaming transport, and which transport led the subscriptions while the workload ran (stream-leaders.ts). */
  streaming: StreamingSummary;
  /** The change feed's verdict (feed-oracle.ts), judged after the wait for quiet (its offenders mean little when the sync did not converge). */
  feed?: FeedVerdict;
  /** `soak: N ops, K kills, converged in S s: …` */
  lastLine: string;
}

/** Run a soak; resolves with its result (never leaves a process or directory behind). */
export async function runSoak(input: Partial<SoakOptions> = {}): Promise<SoakResult> {
  const options: SoakOptions = { ...DEFAULT_OPTIONS, ...input };
  const log = options.log ?? ((line: string) => console.log(line));
  const cleanup = new CleanupStack();
  const unhook = cleanUpOnSignal(cleanup);
  const workDir = await mkdtemp(path.join(tmpdir(), 'sfsync-soak-'));
  cleanup.push('work dir', () => (options.keep ? log(`soak: kept ${workDir}`) : rm(workDir, { recursive: true, force: true })));
  try {
    return await soak(options, workDir, cleanup, log);
  } finally {
    for (const failure of await cleanup.run()) log(`soak: cleanup: ${failure}`);
    unhook();
  }
}

async function soak(options: SoakOptions, workDir: string, cleanup: CleanupStack, log: (line: string) => void): Promise<SoakResult> {
  const { seed, seconds, faults, engines, transports } = options;
  log(
    `soak: seed ${seed}, ${seconds} s, ${engines} engine(s) streaming over ${transports.join(',')} in turn, faults ${faults.join(',') || 'none'}; work dir ${workDir}`,
  );
  const postgres = await startSoakPostgres(workDir);
  cleanup.push('postgres', () => postgres.stop());
  const emulator = await startEmulatorProcess(workDir, cleanup);
  const control = new EmulatorControl(emulator.url);
  // The emulator's default daily allowance (15,000 calls) runs out after ~5 minutes of soak,
  // after which every call of both apps is refused: a large org's allowance instead. Running
  // out is its own fault (`api-limit`), on the timeline.
  await control.setControls({ dailyApiLimit: DAILY_API_LIMIT });
  await setUpThroughCli(workDir, postgres.url, emulator.url, cleanup, log);
  const fleet = new EngineFleet(workDir, postgres.url, emulator.url, cleanup, { transports, pubsub: emulator.pubsub });
  await fleet.start(engines);
  const observer = new pg.Pool({ connectionString: postgres.url, max: 3, application_name: 'sfsync soak oracle' });
  observer.on('error', () => undefined);
  observer.on('connect', (client) => client.on('error', () => undefined));
  cleanup.push('observer pool', () => observer.end());
  await waitForActiveMappings(observer);
  const feed = new FeedReader(observer);
  await feed.start();
  cleanup.push('feed reader', () => feed.stop());
  log('soak: both mappings active; feed subscriber reading; workload starts');

  const ledger = new Ledger(seed);
  const rng = createRng(seed);
  const rest = new SalesforceRest(emulator.url);
  await rest.login();
  const appDb = new AppDb(postgres.url, (code) => ledger.error('pg', code));
  cleanup.push('app pool', () => appDb.end());
  const pool = new RecordPool(ledger);
  await pool.refresh(appDb, control);
  const loops: Stepper[] = [];
  for (let i = 0; i < LOOPS_PER_SIDE; i++) {
    loops.push(new PgWorkload(appDb, ledger, pool, rng.fork(1 + i)), new SfWorkload(rest, ledger, pool, rng.fork(101 + i)));
  }
  const timeline = new FaultTimeline({ faults, seconds, rng: rng.fork(999), control, fleet, postgres, log });
  const monitor = new Monitor(observer, ledger, fleet, pool, log);
  const leaders = new StreamLeaderSampler(observer, fleet);
  timeline.start();
  monitor.start();
  leaders.start();
  try {
    await runWorkload({ loops, pool, db: appDb, control }, seconds);
  } finally {
    await timeline.stop();
    monitor.stop();
    leaders.stop();
  }
  await fleet.ensureAllRunning();
  await waitForVisibleCommits(control);
  const settled = await settleUnknowns(ledger, observer, control);
  const c = ledger.counters;
  log(
    `soak: workload done: ${ledger.totalOps} ops (pg ${c.ops.pg}, sf ${c.ops.sf}); created pg ${c.created.pg} sf ${c.created.sf}; updated pg ${c.updated.pg} sf ${c.updated.sf}; deleted pg ${c.deleted.pg} sf ${c.deleted.sf}`,
  );
  log(`soak: unknown outcomes settled: ${JSON.stringify(settled)}; app errors and retries: ${[...c.errors].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  log(`soak: faults fired: ${timeline.summary()}; max outbox backlog ${monitor.maxBacklog}; engine crashes: ${fleet.crashes.join(', ') || 'none'}`);
  const streaming = leaders.summary();
  log(`soak: streaming: ${streamingText(streaming)}`);
  log(`soak: waiting up to ${options.quietTimeoutSeconds} s for both sides to agree`);

  const quiet = await waitForQuiet(ledger, observer, control, options.quietTimeoutSeconds, log);
  const r = quiet.report;
  log(`soak: ${r.live.pg} rows in Postgres, ${r.live.sf} live records in Salesforce; failed changes: ${failedText(r)}`);
  let feedVerdict: FeedVerdict | undefined;
  {
    await feed.drain();
    feedVerdict = await judgeFeed(feed, observer, await takeSnapshot(observer, control));
    log(
      `soak: feed: ${feedVerdict.entries} entries read (${feed.failedReads} reads retried), ${feedVerdict.missed} missed, ${feedVerdict.outOfOrder} out of order, ${feedVerdict.readerProblems} gaps or changed re-deliveries`,
    );
    for (const line of feedVerdict.offenders) log(`  ${line}`);
  }
  const offenders = offenderLines(r);
  if (!quiet.converged) {
    log(`soak: offenders (${r.offenders.length}, first ${offenders.length}):`);
    for (const line of offenders) log(`  ${line}`);
    log(`soak: engine logs: ${Array.from({ length: engines }, (_, i) => fleet.logFile(i)).join(', ')}${options.keep ? '' : ' (removed; --keep keeps them)'}`);
  }
  return {
    ops: ledger.totalOps,
    kills: fleet.kills,
    converged: quiet.converged,
    seconds: quiet.seconds,
    lost: r.lost,
    dup: r.dup,
    mismatch: r.mismatch,
    unsent: r.unsent,
    maxBacklog: monitor.maxBacklog,
    faultsFired: Object.fromEntries(timeline.fired),
    failedByCode: Object.fromEntries(r.failedByCode),
    offenders,
    engineCrashes: [...fleet.crashes],
    streaming,
    ...(feedVerdict ? { feed: feedVerdict } : {}),
    lastLine: lastLine(ledger.totalOps, fleet.kills, quiet.converged, quiet.seconds, r),
  };
}

/** Delayed commits (late-commits fault) finish within 1.5 s of the fault's end; wait for them before settling. */
async function waitForVisibleCommits(control: EmulatorControl): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await control.pendingCommits()) > 0 && Date.now() < deadline) await pause(200);
}
