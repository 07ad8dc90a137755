/**
 * The org's SystemModstamp clock: wall-clock epoch ms that never goes
 * backwards, even if the wall clock steps back. Equal stamps are allowed (ms
 * precision) except where one save must read as later than another.
 */

/** SystemModstamp source of one org. */
export class ModstampClock {
  private last = 0;

  /** The next stamp: now, or the last stamp handed out if the wall clock is behind it. */
  next(): number {
    this.last = Math.max(Date.now(), this.last);
    return this.last;
  }

  /** Make every later stamp strictly after `ms` (a flow's save follows the API save, even within one millisecond). */
  advancePast(ms: number): void {
    this.last = Math.max(this.last, ms + 1);
  }
}
