/**
 * One push-throughput measurement (used by push-throughput.ts and scale.ts):
 * N rows created in the emulator reach Postgres through the initial load,
 * one UPDATE statement changes them all, and the push is timed until the
 * outbox is empty. Then the floor, measured on the same sync right after:
 * - Collections: `concurrency × batchSize ÷ round trip`, the round trip being
 *   the p50 of the bench's own full-size Collections update calls;
 * - Bulk: one Bulk API 2.0 update job of all N records sent by the bench.
 */
import type { LatencyProfileName, Org } from 'salesforce-emulator';
import { describeMachine } from './bench-machine.js';
import { startBenchSync } from './bench-sync.js';
import { percentileOf } from './figures.js';

/** What to push, and how. */
export interface PushRunOptions {
  rows: number;
  /** Pending records above which the push uses Bulk API 2.0. */
  bulkThreshold: number;
  concurrency?: number;
  batchSize?: number;
  profile: LatencyProfileName;
}

/** The outcome of one push. */
export interface PushRun {
  /** Rows ÷ time from the UPDATE's COMMIT to an empty outbox (the statement itself is the user's, not the push's). */
  recordsPerSecond: number;
  seconds: number;
  /** The UPDATE statement itself (capture included), ms. */
  committedMs: number;
  /** From the UPDATE's start to the first pushed record visible in the emulator, ms (capture, notify, claim, first call). */
  firstVisibleMs: number;
  /** From the first to the last pushed record visible, ms. */
  sendingMs: number;
  calls: number;
  arrived: number;
  /** Collections: concurrency × batchSize ÷ round trip (records/s); Bulk: N ÷ one bare job's time. */
  floorRecordsPerSecond: number;
  /** The round trip (Collections) or the bare job's time (Bulk), ms. */
  floorMs: number;
  machine: string;
}

function seed(rows: number): (org: Org) => void {
  return (org) => {
    for (let i = 0; i < rows; i += 5000) {
      const ops = Array.from({ length: Math.min(5000, rows - i) }, (_, k) => ({
        kind: 'create' as const,
        object: 'Account',
        values: { Name: `Row ${i + k}`, NumberOfEmployees: 0 },
      }));
      org.write(ops, { allOrNone: true }, org.systemContext());
    }
  };
}

/** Run one push and its floor. */
export async function runPush(options: PushRunOptions): Promise<PushRun> {
  const { rows, bulkThreshold, profile } = options;
  const concurrency = options.concurrency ?? 4;
  const batchSize = options.batchSize ?? 200;
  const sync = await startBenchSync({ bulkThreshold, concurrency, batchSize }, { seed: seed(rows), profile });
  try {
    const org = sync.emulator.org;
    const sf = await sync.salesforce();
    const callsBefore = sf.callCount;
    let first = 0;
    let last = 0;
    const off = org.onChange((event) => {
      if (event.record.NumberOfEmployees !== 1) return;
      last = performance.now();
      first ||= last;
    });
    const start = performance.now();
    await sync.client.query('update salesforce.account set numberofemployees = numberofemployees + 1');
    const committedMs = performance.now() - start;
    for (;;) {
      const { rows: left } = await sync.client.query<{ n: string }>(`select coalesce(sum(pending), 0)::text as n from sfsync.outbox_status`);
      if (left[0]!.n === '0') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - start) / 1000;
    off();
    const calls = sf.callCount - callsBefore;
    const arrived = org.list('Account').filter((r) => r.values.NumberOfEmployees === 1).length;
    const ids = org.list('Account').map((r) => String(r.values.Id));
    let floorMs: number;
    let floorRecordsPerSecond: number;
    if (rows <= bulkThreshold) {
      const trips: number[] = [];
      for (let i = 0; i < 7; i++) {
        const batch = ids.slice((i * batchSize) % Math.max(1, ids.length - batchSize), ((i * batchSize) % Math.max(1, ids.length - batchSize)) + batchSize);
        const sent = performance.now();
        await sf.update(
          'Account',
          batch.map((Id) => ({ Id, NumberOfEmployees: 2 })),
        );
        trips.push(performance.now() - sent);
      }
      floorMs = percentileOf(trips, 50);
      floorRecordsPerSecond = (concurrency * batchSize) / (floorMs / 1000);
    } else {
      const sent = performance.now();
      await sf.bulkIngest(
        'Account',
        'update',
        ids.map((Id) => ({ Id, NumberOfEmployees: 3 })),
      );
      floorMs = performance.now() - sent;
      floorRecordsPerSecond = ids.length / (floorMs / 1000);
    }
    return {
      recordsPerSecond: rows / (seconds - committedMs / 1000),
      seconds,
      committedMs,
      firstVisibleMs: first - start,
      sendingMs: last - first,
      calls,
      arrived,
      floorRecordsPerSecond,
      floorMs,
      machine: await describeMachine(sync.client),
    };
  } finally {
    await sync.stop();
  }
}
