/**
 * A short seeded soak (seed 1, 60 s, every fault, 2 engines, 60 s to quiet):
 * both apps write to both sides while Salesforce fails, Postgres restarts and
 * engines are SIGKILLed; afterwards both sides must hold the same records,
 * each exactly once, with nothing left to send, and the change feed's
 * subscriber must have every change in order per record. The run cleans up every
 * process, server and directory itself, pass or fail (bench/soak/run-soak.ts).
 */
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES } from '../../bench/soak/options.js';
import { runSoak } from '../../bench/soak/run-soak.js';

describe('soak: seed 1, 60 s, every fault, 2 engines (CometD and Pub/Sub)', () => {
  it('converges: nothing lost, duplicated, different or unsent', async () => {
    const result = await runSoak({
      seed: 1,
      seconds: 60,
      faults: [...FAULT_NAMES],
      engines: 2,
      // The bound: converged within 60 s of the faults stopping (poll 5 s, drift 20 s).
      quietTimeoutSeconds: 60,
      log: (line) => console.log(line),
    });
    console.log(result.lastLine);
    // The workload really ran and the faults really fired, so a clean verdict means something.
    expect(result.ops).toBeGreaterThan(1000);
    expect(result.kills).toBeGreaterThan(0);
    // With DATABASE_URL the soak runs on that server and never restarts it.
    if (!process.env.DATABASE_URL) expect(result.faultsFired['pg-restart'] ?? 0).toBe(1);
    expect({ lost: result.lost, dup: result.dup, mismatch: result.mismatch, unsent: result.unsent, offenders: result.offenders }).toEqual({
      lost: 0,
      dup: 0,
      mismatch: 0,
      unsent: 0,
      offenders: [],
    });
    expect(result.converged).toBe(true);
    // The change feed missed no change and kept each record's changes in order (bench/soak/feed-oracle.ts).
    expect(result.feed?.entries).toBeGreaterThan(0);
    expect({
      missed: result.feed?.missed,
      outOfOrder: result.feed?.outOfOrder,
      readerProblems: result.feed?.readerProblems,
      offenders: result.feed?.offenders,
    }).toEqual({
      missed: 0,
      outOfOrder: 0,
      readerProblems: 0,
      offenders: [],
    });
    // The engines stream over CometD and the Pub/Sub API in turn, and one of them led the subscriptions
    // (which transport led how long, and the handovers between them, are in the log's `soak: streaming:` line).
    expect(result.streaming.engines).toEqual(['cometd', 'pubsub']);
    expect(result.streaming.ledBy.cometd + result.streaming.ledBy.pubsub).toBeGreaterThan(0);
    // An engine must ride out every fault, the Postgres restart included, without exiting.
    expect(result.engineCrashes).toEqual([]);
  }, 300_000);
});
