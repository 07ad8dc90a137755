/**
 * How many streaming subscriptions this process may lead: its fair share,
 * ceil(streaming connections / live engines), so subscriptions spread across
 * `sfsync start` processes instead of piling onto the first one up. Every
 * process computes the same share from the same tables (`sfsync.engines`
 * whose session is still alive, and the connections with a streaming
 * mapping), so their shares add up to at least the number of connections and
 * none is left without a leader. A process over its share (another one
 * joined) hands one subscription back at a time; one under it takes more.
 * When a process dies, Postgres drops its session: its locks free at once,
 * and at the next refresh (every few seconds) the survivors' share grows.
 */
import type pg from 'pg';

/** The leader loops' view of this process's share (stream-leader.ts). */
export class StreamShare {
  private readonly leading = new Set<string>();
  private fair = Number.POSITIVE_INFINITY;

  /** Recompute the fair share: `connections` streaming connections over `engines` live engines (none known: no limit). */
  update(connections: number, engines: number): void {
    this.fair = engines > 0 ? Math.max(1, Math.ceil(connections / engines)) : Number.POSITIVE_INFINITY;
  }

  /** Whether this process may try to lead one more connection. */
  mayTake(): boolean {
    return this.leading.size < this.fair;
  }

  /** Record that this process leads `connectionId`. */
  took(connectionId: string): void {
    this.leading.add(connectionId);
  }

  /** Record that this process no longer leads `connectionId`. */
  released(connectionId: string): void {
    this.leading.delete(connectionId);
  }

  /** Whether to hand `connectionId` back (over the share); if so it is released here at once, so only one loop yields per excess. */
  mustYield(connectionId: string): boolean {
    if (this.leading.size <= this.fair || !this.leading.has(connectionId)) return false;
    this.leading.delete(connectionId);
    return true;
  }

  /** How many this process leads (metrics, tests). */
  get size(): number {
    return this.leading.size;
  }
}

/** Live engines: registered (`sfsync.engines`) and their session still there (`sfsync.dead_engines` excluded). */
export async function countLiveEngines(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'select count(*)::int as n from sfsync.engines e where not exists (select 1 from sfsync.dead_engines d where d.worker_pool_id = e.worker_pool_id)',
  );
  return rows[0]?.n ?? 0;
}
