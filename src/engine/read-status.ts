/**
 * The status report's data, read from the operator views: per mapping the
 * `sfsync.mapping_status` view (durations as seconds), with the conflicts
 * (`recent_conflicts`) and drift fixes (`recent_windows`) of today, and per
 * connection its API usage. `sfsync status`, the demo and the status page
 * all read it here.
 */
import type { NotNull } from 'kysely';
import type pg from 'pg';

/** One mapping's status, JSON-friendly. */
export interface MappingStatus {
  mappingId: number;
  connection: string;
  sobject: string;
  table: string;
  mode: string;
  state: string;
  lastPollAt: string | null;
  lastPollOutcome: string | null;
  /** Seconds the read path's watermark is behind now (null before the first poll). */
  pullLagSeconds: number | null;
  /** Age in seconds of the oldest change waiting to reach Salesforce (null when none). */
  pushLagSeconds: number | null;
  pendingChanges: number;
  failedChanges: number;
  apiCallsToday: number;
  /** Conflicts decided since midnight (server time), from `recent_conflicts`. */
  conflictsToday: number;
  /** Records the drift re-polls found since midnight, from `recent_windows`. */
  driftFixedToday: number;
  lastError: unknown;
}

/** One connection's state and API budget as Salesforce last reported it. */
export interface ConnectionUsage {
  connection: string;
  /** active, paused, or error (its last login failed: lastError says why; the others sync on). */
  state: string;
  lastError: unknown;
  apiUsage: number | null;
  apiLimit: number | null;
  /** sfsync's share of apiLimit (connections.api_budget_share, default 50 %). */
  apiBudget: number | null;
  /** What the API governor does: normal, slow or stopped (only waiting changes are pushed). */
  governor: string;
  reportedAt: string | null;
}

/** The whole report. */
export interface StatusReport {
  mappings: MappingStatus[];
  connections: ConnectionUsage[];
}

/** Read the report. */
export async function readStatus(pool: pg.Pool): Promise<StatusReport> {
  // Imported when run: kysely would cost every command's startup (commands/status.ts loads this module eagerly).
  const { run, sfsync, sql } = await import('../db/typed-query.js');
  const mappings = await run(
    pool,
    sfsync
      .selectFrom('mapping_status')
      .select((eb) => [
        eb.cast<number>('mapping_id', 'integer').as('mapping_id'),
        'connection',
        'sobject',
        sql<string>`schema_name || '.' || table_name`.as('table'),
        'mode',
        'state',
        'last_poll_at',
        'last_poll_outcome',
        sql<number | null>`extract(epoch from pull_lag)::float8`.as('pull_lag'),
        sql<number | null>`extract(epoch from push_lag)::float8`.as('push_lag'),
        eb.cast<number>('pending_changes', 'integer').as('pending_changes'),
        eb.cast<number>('failed_changes', 'integer').as('failed_changes'),
        eb.cast<number>('api_calls_today', 'integer').as('api_calls_today'),
        'last_error',
      ])
      // A view's columns all read as nullable; these come from not-null columns of its tables.
      .$narrowType<{ connection: NotNull; sobject: NotNull; mode: NotNull; state: NotNull }>()
      .orderBy('mapping_id'),
  );
  const today = await run(
    pool,
    sfsync
      .selectFrom('recent_windows')
      .select((eb) => [eb.cast<number>('mapping_id', 'integer').as('mapping_id'), sql<number>`coalesce(sum(drift_fixed), 0)::int`.as('n')])
      .where('started_at', '>=', sql<Date>`date_trunc('day', now())`)
      .groupBy('mapping_id'),
  );
  const conflicts = await run(
    pool,
    sfsync
      .selectFrom('recent_conflicts')
      .select((eb) => [eb.cast<number>('mapping_id', 'integer').as('mapping_id'), sql<number>`count(*)::int`.as('n')])
      .where('decided_at', '>=', sql<Date>`date_trunc('day', now())`)
      .groupBy('mapping_id'),
  );
  const drift = new Map(today.map((r) => [r.mapping_id, r.n]));
  const conflictCount = new Map(conflicts.map((r) => [r.mapping_id, r.n]));
  const connections = await run(
    pool,
    sfsync
      .selectFrom('connections')
      .select(['name', 'state', 'last_error', 'api_usage', 'api_limit', 'api_usage_at', 'governor'])
      .select(sql<number | null>`floor(api_limit * api_budget_share)::integer`.as('api_budget'))
      .orderBy('id'),
  );
  return {
    mappings: mappings.map((r) => ({
      mappingId: r.mapping_id,
      connection: r.connection,
      sobject: r.sobject,
      table: r.table,
      mode: r.mode,
      state: r.state,
      lastPollAt: r.last_poll_at ? new Date(r.last_poll_at).toISOString() : null,
      lastPollOutcome: r.last_poll_outcome,
      pullLagSeconds: r.pull_lag,
      pushLagSeconds: r.push_lag,
      pendingChanges: r.pending_changes,
      failedChanges: r.failed_changes,
      apiCallsToday: r.api_calls_today,
      conflictsToday: conflictCount.get(r.mapping_id) ?? 0,
      driftFixedToday: drift.get(r.mapping_id) ?? 0,
      lastError: r.last_error,
    })),
    connections: connections.map((r) => ({
      connection: r.name,
      state: r.state,
      lastError: r.last_error,
      apiUsage: r.api_usage,
      apiLimit: r.api_limit,
      apiBudget: r.api_budget,
      governor: r.governor,
      reportedAt: r.api_usage_at ? new Date(r.api_usage_at).toISOString() : null,
    })),
  };
}

/** One poll window, JSON-friendly. */
export interface PollWindow {
  id: number;
  mappingId: number;
  sobject: string;
  /** primary, secondary (drift), reload or reconcile. */
  kind: string;
  lower: string | null;
  upper: string | null;
  api: string | null;
  recordsSeen: number;
  recordsApplied: number;
  driftFixed: number;
  apiCalls: number;
  outcome: string | null;
  error: unknown;
  startedAt: string | null;
  seconds: number | null;
}

/** The newest poll windows of the last 24 hours (the `recent_windows` view). */
export async function readRecentWindows(pool: pg.Pool, limit: number): Promise<PollWindow[]> {
  const { run, sfsync, sql } = await import('../db/typed-query.js');
  const rows = await run(
    pool,
    sfsync
      .selectFrom('recent_windows')
      .select((eb) => [
        eb.cast<number>('id', 'integer').as('id'),
        eb.cast<number>('mapping_id', 'integer').as('mapping_id'),
        'sobject',
        'kind',
        'lower',
        'upper',
        'api',
        'records_seen',
        'records_applied',
        'drift_fixed',
        'api_calls',
        'outcome',
        'error',
        'started_at',
        sql<number | null>`extract(epoch from duration)::float8`.as('seconds'),
      ])
      .$narrowType<{ sobject: NotNull; kind: NotNull }>()
      .orderBy('started_at', 'desc')
      .limit(limit),
  );
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return rows.map((r) => ({
    id: r.id,
    mappingId: r.mapping_id,
    sobject: r.sobject,
    kind: r.kind,
    lower: iso(r.lower),
    upper: iso(r.upper),
    api: r.api,
    recordsSeen: r.records_seen ?? 0,
    recordsApplied: r.records_applied ?? 0,
    driftFixed: r.drift_fixed ?? 0,
    apiCalls: r.api_calls ?? 0,
    outcome: r.outcome,
    error: r.error,
    startedAt: iso(r.started_at),
    seconds: r.seconds,
  }));
}
