/**
 * The soak's change-feed subscriber: reads `sfsync.feed_read('soak', …)`
 * every 500 ms throughout the run, as an outside program would, keeps every
 * entry, and acks what it read. Reads that fail (Postgres restarting) are
 * retried on the next tick: the cursor only moves on ack, so nothing read is
 * lost. It notes any gap in positions (an entry a later read skipped) and any
 * entry handed again with different content.
 */
import type pg from 'pg';

/** One feed entry as the soak keeps it. */
export interface SoakFeedEntry {
  position: number;
  mappingId: string;
  recordId: string | null;
  direction: 'inbound' | 'outbound';
  op: 'insert' | 'update' | 'delete';
  changed: Record<string, unknown>;
}

const SUBSCRIBER = 'soak';
const BATCH = 2_000;

/** The running reader. */
export class FeedReader {
  /** Entries by position. */
  readonly entries = new Map<number, SoakFeedEntry>();
  /** Positions skipped between two reads, and entries handed again with other content. */
  readonly problems: string[] = [];
  /** Reads that failed (and were retried). */
  failedReads = 0;
  private acked = 0;
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;

  constructor(private readonly db: pg.Pool) {}

  /** Subscribe at the feed's end and start reading. */
  async start(): Promise<void> {
    const { rows } = await this.db.query<{ position: string }>('select sfsync.feed_subscribe($1)::text as position', [SUBSCRIBER]);
    this.acked = Number(rows[0]!.position);
    this.timer = setInterval(() => {
      this.reading ??= this.readAll()
        .catch(() => void this.failedReads++)
        .finally(() => (this.reading = undefined));
    }, 500);
  }

  /** Stop reading (cleanup). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.reading?.catch(() => undefined);
  }

  /** Stop the timer and read what is left (after the run has gone quiet). */
  async drain(): Promise<void> {
    clearInterval(this.timer);
    await this.reading;
    await this.readAll();
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const { rows } = await this.db.query<{
        position: string;
        mapping_id: string;
        record_id: string | null;
        direction: SoakFeedEntry['direction'];
        op: SoakFeedEntry['op'];
        changed: Record<string, unknown>;
      }>('select position::text, mapping_id::text, record_id::text, direction, op, changed from sfsync.feed_read($1, $2)', [SUBSCRIBER, BATCH]);
      if (rows.length === 0) return;
      let expected = this.acked + 1;
      for (const r of rows) {
        const entry: SoakFeedEntry = {
          position: Number(r.position),
          mappingId: r.mapping_id,
          recordId: r.record_id,
          direction: r.direction,
          op: r.op,
          changed: r.changed,
        };
        if (entry.position !== expected) this.problems.push(`feed gap: expected position ${expected}, read ${entry.position}`);
        const before = this.entries.get(entry.position);
        if (before && JSON.stringify(before) !== JSON.stringify(entry)) this.problems.push(`feed position ${entry.position} handed again with other content`);
        this.entries.set(entry.position, entry);
        expected = entry.position + 1;
      }
      const last = Number(rows.at(-1)!.position);
      await this.db.query('select sfsync.feed_ack($1, $2)', [SUBSCRIBER, last]);
      this.acked = last;
      if (rows.length < BATCH) return;
    }
  }
}
