/**
 * The demo's live status: on a terminal, the status table redrawn in place
 * every few seconds below the instructions; otherwise one plain line per
 * mapping at each interval, so a log of the run stays readable.
 */
import type pg from 'pg';
import { formatStatus, readStatus, type StatusReport } from '../status-report.js';

/** A running view; `stop()` waits for a refresh in flight. */
export interface StatusView {
  stop(): Promise<void>;
}

/** Start refreshing every `intervalMs`. */
export function startStatusView(pool: pg.Pool, intervalMs: number): StatusView {
  const tty = Boolean(process.stdout.isTTY);
  let drawnLines = 0;
  const lastLine = new Map<string, string>();
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const refresh = async () => {
    let report: StatusReport;
    try {
      report = await readStatus(pool);
    } catch (error) {
      if (!stopped) console.error(`status: ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    if (stopped) return;
    if (tty) {
      const text = `${formatStatus(report)}\n(updated ${new Date().toLocaleTimeString()}; Ctrl-C stops everything)`;
      // Move up over the previous drawing and clear it, then draw again.
      if (drawnLines > 0) process.stdout.write(`\x1b[${drawnLines}A\x1b[0J`);
      process.stdout.write(`${text}\n`);
      drawnLines = text.split('\n').length;
    } else {
      // Without a terminal, print a mapping's line only when it changed.
      for (const m of report.mappings) {
        const line = `status ${m.sobject}: state=${m.state} pending=${m.pendingChanges} failed=${m.failedChanges} last_poll=${m.lastPollOutcome ?? '-'}`;
        if (lastLine.get(m.sobject) === line) continue;
        lastLine.set(m.sobject, line);
        console.log(line);
      }
    }
  };
  inFlight = refresh();
  const timer = setInterval(() => {
    inFlight = inFlight.then(refresh);
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
