/**
 * The API governor: how much of an org's daily API allowance sfsync may still
 * spend, decided from the org's usage in every Salesforce response
 * (`Sforce-Limit-Info`, read by jsforce per response; salesforce-client.ts
 * `apiUsage()`), held in memory and written to `sfsync.connections` in
 * batches by the engine (engine/api-budget.ts), never once per call.
 *
 * Budget = floor(limit × `api_budget_share`) (default 50 %). Levels, by the
 * org's usage against the point where sfsync stops (budget − a reserve of
 * 2 %, at least 5 calls, so calls already in flight still land within it):
 * - `normal` below 80 % of it;
 * - `slow` from 80 %: interval polls and drift re-polls are stretched by a
 *   factor rising from 1 to 8 (event polls from streaming still run), pushes
 *   wait longer to batch and use Bulk from 1,000 records;
 * - `stopped` from there on: no polls, drift re-polls or reconciliations;
 *   only changes already waiting in the outbox are still pushed (see
 *   README, "Running many orgs").
 */

/** What the governor does for a connection. */
export type GovernorLevel = 'normal' | 'slow' | 'stopped';

/** The governor's decision for one connection. */
export interface GovernorState {
  level: GovernorLevel;
  /** Multiplier of poll intervals, drift delays and push debounce (1 normal, 1–8 slow, Infinity stopped). */
  factor: number;
  used: number | null;
  limit: number | null;
  budget: number | null;
}

/** Usage from this fraction of the stop point on is `slow`. */
export const SLOW_FROM = 0.8;
/** The largest stretch of a `slow` connection's polls. */
export const MAX_STRETCH = 8;
/** Records above which a governed push uses Bulk (one job costs about 5 calls; Collections 1 per 200). */
export const GOVERNED_BULK_THRESHOLD = 1000;

/** The decision for `used` of `limit` with `share` of it as the budget; no usage known yet is `normal`. */
export function decide(used: number | null, limit: number | null, share: number): GovernorState {
  if (used === null || limit === null || limit <= 0) return { level: 'normal', factor: 1, used, limit, budget: null };
  const budget = Math.floor(limit * share);
  const stopAt = budget - Math.max(5, Math.ceil(budget * 0.02));
  if (used >= stopAt) return { level: 'stopped', factor: Number.POSITIVE_INFINITY, used, limit, budget };
  const ratio = used / stopAt;
  if (ratio < SLOW_FROM) return { level: 'normal', factor: 1, used, limit, budget };
  const factor = 1 + ((MAX_STRETCH - 1) * (ratio - SLOW_FROM)) / (1 - SLOW_FROM);
  return { level: 'slow', factor, used, limit, budget };
}

interface Usage {
  used: number;
  max: number;
  at: number;
  /** Not written to Postgres yet. */
  dirty: boolean;
}

/** What the governor reads of a Salesforce client. */
export interface UsageSource {
  readonly callCount: number;
  apiUsage(): { used: number; max: number } | undefined;
}

/** A usage report to write: one connection's latest. */
export interface UsageReport {
  connectionId: string;
  used: number;
  max: number;
  at: Date;
}

/**
 * The governor of one engine process: the latest usage per connection (its
 * own responses, and what other processes wrote), the budget shares, and the
 * decisions. Cheap to ask: no I/O.
 */
export class ApiGovernor {
  private readonly usage = new Map<string, Usage>();
  private readonly shares = new Map<string, number>();
  private readonly sources = new Map<string, { client: UsageSource; calls: number }>();

  /** Read `client`'s latest usage at each {@link observeSources} after it made calls. */
  watch(connectionId: string, client: UsageSource): void {
    this.sources.set(connectionId, { client, calls: -1 });
  }

  /** Observe the latest usage of every watched client that made calls since the last time. */
  observeSources(): void {
    for (const [connectionId, source] of this.sources) {
      if (source.client.callCount === source.calls) continue;
      source.calls = source.client.callCount;
      this.observe(connectionId, source.client.apiUsage());
    }
  }

  /** Record a response's usage (`api-usage=used/max`); the newest report wins, a new day's lower count included. */
  observe(connectionId: string, reported: { used: number; max: number } | undefined, at = Date.now(), fromThisProcess = true): void {
    if (!reported) return;
    const prev = this.usage.get(connectionId);
    if (prev && prev.at > at) return;
    if (prev && prev.used === reported.used && prev.max === reported.max) {
      prev.at = at;
      return;
    }
    this.usage.set(connectionId, { used: reported.used, max: reported.max, at, dirty: fromThisProcess || (prev?.dirty ?? false) });
  }

  /** Set a connection's budget share (from `sfsync.connections.api_budget_share`). */
  setShare(connectionId: string, share: number): void {
    this.shares.set(connectionId, share);
  }

  /** The decision for `connectionId` now. */
  state(connectionId: string): GovernorState {
    const u = this.usage.get(connectionId);
    return decide(u?.used ?? null, u?.max ?? null, this.shares.get(connectionId) ?? 0.5);
  }

  /** Usage not written yet, marked written (the caller writes them in one statement). */
  takeReports(): UsageReport[] {
    const out: UsageReport[] = [];
    for (const [connectionId, u] of this.usage) {
      if (!u.dirty) continue;
      u.dirty = false;
      out.push({ connectionId, used: u.used, max: u.max, at: new Date(u.at) });
    }
    return out;
  }

  /** When the usage of `connectionId` was last reported (ms since epoch), or undefined. */
  reportedAt(connectionId: string): number | undefined {
    return this.usage.get(connectionId)?.at;
  }

  /** Connections with a known usage. */
  connections(): string[] {
    return [...this.usage.keys()];
  }
}
