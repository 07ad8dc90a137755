/**
 * While the workload runs: sample the outbox backlog (open changes) every
 * 2 s, keeping the maximum, and print a progress line every 10 s, so a long
 * soak shows it is alive and where it stands. A sample failing (Postgres
 * restarting) is skipped.
 */
import type pg from 'pg';
import type { EngineFleet } from './engine-fleet.js';
import type { Ledger } from './ledger.js';
import type { RecordPool } from './record-pool.js';
import { openChanges } from './snapshot.js';

/** A running monitor. */
export class Monitor {
  /** The largest open-outbox count seen. */
  maxBacklog = 0;
  private last = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: pg.Pool,
    private readonly ledger: Ledger,
    private readonly fleet: EngineFleet,
    private readonly pool: RecordPool,
    private readonly log: (line: string) => void,
  ) {}

  /** Start sampling and printing. */
  start(): void {
    this.timers.push(setInterval(() => void this.sample(), 2_000));
    this.timers.push(setInterval(() => this.print(), 10_000));
  }

  /** Stop both timers. */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  /** Take one backlog sample now (also used by the oracle's wait). */
  async sample(): Promise<number | undefined> {
    try {
      this.last = await openChanges(this.db);
      this.maxBacklog = Math.max(this.maxBacklog, this.last);
      return this.last;
    } catch {
      return undefined;
    }
  }

  private print(): void {
    const c = this.ledger.counters;
    const secs = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    this.log(
      `[soak ${secs}s] ops pg ${c.ops.pg} sf ${c.ops.sf}; created pg ${c.created.pg} sf ${c.created.sf}; updated pg ${c.updated.pg} sf ${c.updated.sf}; ` +
        `deleted pg ${c.deleted.pg} sf ${c.deleted.sf}; kills ${this.fleet.kills}; outbox open ${this.last} (max ${this.maxBacklog}); ${this.pool.sizes()}`,
    );
  }
}
