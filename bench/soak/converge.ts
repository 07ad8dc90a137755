/**
 * After the workload and the faults: wait for quiet. Every 2 s both sides are
 * read and judged; the run has converged at the first clean verdict. Until
 * the quiet timeout the engines get every chance (drift re-polls, outbox
 * sweeps, retries with back-off); after it, the last verdict stands, with its
 * offenders.
 */
import type pg from 'pg';
import { pause } from './app-db.js';
import type { EmulatorControl } from './emulator-control.js';
import type { Ledger } from './ledger.js';
import { isClean, judge, type OracleReport } from './oracle.js';
import { takeSnapshot } from './snapshot.js';

/** The outcome of the wait. */
export interface Convergence {
  converged: boolean;
  /** Seconds from the start of the wait to the clean verdict (or to the timeout). */
  seconds: number;
  report: OracleReport;
}

/** Judge every 2 s until clean or `timeoutSeconds` pass. */
export async function waitForQuiet(
  ledger: Ledger,
  db: pg.Pool,
  control: EmulatorControl,
  timeoutSeconds: number,
  log: (line: string) => void,
): Promise<Convergence> {
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  let lastPrint = started;
  let report: OracleReport | undefined;
  for (;;) {
    try {
      report = judge(ledger, await takeSnapshot(db, control));
      if (isClean(report)) return { converged: true, seconds: (Date.now() - started) / 1000, report };
    } catch (error) {
      log(`[quiet] snapshot failed: ${(error as Error).message}`);
    }
    if (Date.now() >= deadline && report) return { converged: false, seconds: (Date.now() - started) / 1000, report };
    if (Date.now() - lastPrint >= 10_000 && report) {
      lastPrint = Date.now();
      log(
        `[quiet ${((Date.now() - started) / 1000).toFixed(0)}s] ${report.lost} lost, ${report.dup} dup, ${report.mismatch} mismatch, ${report.unsent} unsent`,
      );
    }
    await pause(2_000);
  }
}
