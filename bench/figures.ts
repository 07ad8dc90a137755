/**
 * A benchmark's figures as data, so `npm run bench` (bench/suite.ts) can put
 * every part in one table and compare runs. Each part script still prints
 * its own report; when the suite runs it, `BENCH_FIGURES` names a file the
 * part appends its figures to (one JSON line each), and `BENCH_PROFILE`
 * selects the emulator's timing profile (`none` or `real`).
 */
import { appendFileSync } from 'node:fs';
import { isLatencyProfileName, type LatencyProfileName } from 'salesforce-emulator';

/** One measured figure beside what it is judged against. */
export interface Figure {
  /** The part that measured it, e.g. `push-latency`. */
  part: string;
  /** What it is, e.g. `COMMIT → Salesforce p50`. */
  name: string;
  /** The emulator's timing profile during the measurement. */
  profile: LatencyProfileName;
  value: number;
  /** `ms`, `records/s`, `tx/s`, `%`, `MiB`, … */
  unit: string;
  /** Which way is better: lower (latency, time) or higher (throughput). */
  better: 'lower' | 'higher';
  /** The comparison a user would make (Heroku Connect, the unmapped table, …), in the figure's unit. */
  baseline?: { label: string; value: number };
  /** What physics allows on this machine (one round trip, plain COPY, …), in the figure's unit. */
  floor?: { label: string; value: number };
  /** Goal on the ratio value ÷ floor (or value ÷ baseline with `against: 'baseline'`), e.g. `{ atMost: 1.2 }`. */
  goal?: { atMost?: number; atLeast?: number; against?: 'floor' | 'baseline' };
}

/** The machine a suite ran on (bench-machine.ts), sent once by a part. */
export interface MachineNote {
  machine: string;
}

/** The timing profile this part runs under (BENCH_PROFILE; default none). */
export function benchProfile(): LatencyProfileName {
  const name = process.env.BENCH_PROFILE ?? 'none';
  if (!isLatencyProfileName(name)) throw new Error(`BENCH_PROFILE must be none or real, not "${name}".`);
  return name;
}

/** Hand figures (and optionally the machine) to the suite, if one is listening; a no-op when a part runs alone. */
export function emitFigures(figures: Figure[], machine?: string): void {
  const file = process.env.BENCH_FIGURES;
  if (file === undefined || file === '') return;
  const lines = figures.map((f) => JSON.stringify(f));
  if (machine !== undefined) lines.push(JSON.stringify({ machine } satisfies MachineNote));
  appendFileSync(file, lines.map((l) => `${l}\n`).join(''));
}

/** p-th percentile (nearest rank) of numbers, sorted here. */
export function percentileOf(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
