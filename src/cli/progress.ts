/**
 * Progress on long operations (initial load, reload, import): a cli-progress
 * bar on stderr when it is a terminal; otherwise a plain line at most every
 * few seconds, so logs of a non-interactive run stay readable.
 */
import cliProgress from 'cli-progress';

/** A progress display. */
export interface Progress {
  /** Current value, and the total when it is known (a bar needs one). */
  update(value: number, total?: number): void;
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Print nothing at all (`--json`). Default false. */
  quiet?: boolean;
  /** Unit after the numbers; default `records`. */
  unit?: string;
  /** Plain-line interval when stderr is not a TTY, ms; default 5000. */
  lineIntervalMs?: number;
}

/** Start a progress display named `label`. */
export function createProgress(label: string, options: ProgressOptions = {}): Progress {
  const unit = options.unit ?? 'records';
  if (options.quiet) return { update: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) return lineProgress(label, unit, options.lineIntervalMs ?? 5000);
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label.padEnd(16)} {bar} {value}/{total} ${unit}`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total) {
      const t = Math.max(total ?? value, value, 1);
      if (!started) {
        bar.start(t, value);
        started = true;
      } else {
        bar.setTotal(t);
        bar.update(value);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineProgress(label: string, unit: string, intervalMs: number): Progress {
  let last = 0;
  let lastValue = -1;
  let current = { value: 0, total: undefined as number | undefined };
  const print = () => {
    if (current.value === lastValue) return;
    lastValue = current.value;
    console.error(`${label}: ${current.value}${current.total ? `/${current.total}` : ''} ${unit}`);
  };
  return {
    update(value, total) {
      current = { value, total };
      if (Date.now() - last >= intervalMs) {
        last = Date.now();
        print();
      }
    },
    stop: print,
  };
}
