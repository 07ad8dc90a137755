/**
 * Coalescing drift re-polls (pure). A mapping polled every 30 s has 120
 * primary windows an hour; one re-poll per window doubled an idle mapping's
 * API calls (240/h). Consecutive due windows are contiguous on
 * SystemModstamp (each starts at the previous one's `upper`), so one query
 * over `[first.lower, last.upper)` re-reads exactly what the separate
 * re-polls would have — usually in one API call, since an idle range holds
 * few records — and an empty window costs nothing extra.
 */

/** A succeeded primary window whose re-poll is due. */
export interface DueWindow {
  id: string;
  lower: Date;
  upper: Date;
  recordsSeen: number;
}

/** One secondary poll covering consecutive primary windows. */
export interface DriftRange {
  lower: Date;
  upper: Date;
  /** The primary windows it covers. */
  windowIds: string[];
  /** What their primaries saw (chooses REST or Bulk). */
  recordsSeen: number;
}

/**
 * Group windows (any order) into ranges of consecutive windows: a window
 * joins the previous range when its `lower` is at or before that range's
 * `upper` (a gap — a failed window being retried — starts a new range, so a
 * re-poll never reads a span no primary has succeeded on).
 *
 * @example coalesceDriftWindows([[0,30), [30,60), [90,120)]) → [0,60) and [90,120)
 */
export function coalesceDriftWindows(windows: readonly DueWindow[]): DriftRange[] {
  const sorted = [...windows].sort((a, b) => a.lower.getTime() - b.lower.getTime());
  const ranges: DriftRange[] = [];
  for (const w of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && w.lower.getTime() <= last.upper.getTime()) {
      if (w.upper > last.upper) last.upper = w.upper;
      last.windowIds.push(w.id);
      last.recordsSeen += w.recordsSeen;
    } else ranges.push({ lower: w.lower, upper: w.upper, windowIds: [w.id], recordsSeen: w.recordsSeen });
  }
  return ranges;
}

/**
 * When a mapping's next drift job runs: at the earliest due window, but not
 * sooner than one drift delay after the previous re-poll — so re-polls of a
 * mapping happen at most once per drift delay (6/h at the 10-minute default)
 * and every window is re-polled between one and two drift delays after it.
 */
export function nextDriftRun(earliestDue: Date, lastRunMs: number, driftDelayMs: number): Date {
  return new Date(Math.max(earliestDue.getTime(), lastRunMs + driftDelayMs));
}
