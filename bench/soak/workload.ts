/**
 * Both apps at once, for the run's length: two loops per side (each its own
 * workload object with its own forked PRNG), each one operation at a time with a short pacing pause (a few tens of operations
 * per second per side in all: enough to keep two engines busy on a 2-core
 * machine without drowning the emulator and Postgres), and the record pool
 * refreshed every 2 s so both sides keep aiming at the same records.
 */
import { pause, type AppDb } from './app-db.js';
import type { EmulatorControl } from './emulator-control.js';
import type { RecordPool } from './record-pool.js';

/** Something that does one operation per call. */
export interface Stepper {
  step(): Promise<void>;
}

/** What the loops run. */
export interface WorkloadParts {
  /** One loop each (Postgres and Salesforce apps). */
  loops: Stepper[];
  pool: RecordPool;
  db: AppDb;
  control: EmulatorControl;
}

/** Loops per side (used by the run) and the pause between one loop's operations. */
export const LOOPS_PER_SIDE = 2;
const PACE_MS = 70;

/** Run the workload for `seconds`; resolves when every loop has finished its last operation. */
export async function runWorkload(parts: WorkloadParts, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  const loop = async (stepper: Stepper) => {
    while (Date.now() < end) {
      await stepper.step();
      await pause(PACE_MS);
    }
  };
  const refresh = async () => {
    while (Date.now() < end) {
      await parts.pool.refresh(parts.db, parts.control).catch(() => undefined);
      await pause(2_000);
    }
  };
  await Promise.all([refresh(), ...parts.loops.map(loop)]);
}
