/**
 * The status report (`sfsync status`, the demo's live view): one query of the
 * `sfsync.mapping_status` view, with durations as seconds for printing.
 */
import type { NotNull } from 'kysely';
import type pg from 'pg';
import { formatSeconds, formatTable, formatTime, type Column } from './output.js';

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

const COLUMNS: ReadonlyArray<Column<MappingStatus>> = [
  { header: 'id', value: (m) => String(m.mappingId), right: true },
  { header: 'object', value: (m) => m.sobject },
  { header: 'table', value: (m) => m.table },
  { header: 'mode', value: (m) => m.mode },
  { header: 'state', value: (m) => m.state },
  { header: 'last poll', value: (m) => (m.lastPollAt ? `${formatTime(m.lastPollAt)} ${m.lastPollOutcome ?? ''}` : '-') },
  { header: 'pull lag', value: (m) => formatSeconds(m.pullLagSeconds), right: true },
  { header: 'pending', value: (m) => String(m.pendingChanges), right: true },
  { header: 'failed', value: (m) => String(m.failedChanges), right: true },
  { header: 'push lag', value: (m) => formatSeconds(m.pushLagSeconds), right: true },
  { header: 'api today', value: (m) => String(m.apiCallsToday), right: true },
];

/** The report as text: a table of mappings (with their connection when there are several), then one line per connection. */
export function formatStatus(report: StatusReport): string {
  const several = new Set(report.mappings.map((m) => m.connection)).size > 1;
  const columns: ReadonlyArray<Column<MappingStatus>> = several
    ? [COLUMNS[0]!, { header: 'connection', value: (m) => m.connection }, ...COLUMNS.slice(1)]
    : COLUMNS;
  const lines = [formatTable(report.mappings, columns, 'No mappings yet: add one with `sfsync map <Object> --fields A,B`.')];
  for (const c of report.connections) lines.push(c.state === 'error' ? formatLoginError(c) : formatUsage(c));
  return lines.join('\n');
}

function formatLoginError(c: ConnectionUsage): string {
  const error = c.lastError as { message?: string; at?: string } | null;
  return `Connection ${c.connection}: login failing${error?.at ? ` since ${formatTime(error.at)}` : ''}: ${error?.message ?? 'unknown error'}`;
}

function formatUsage(c: ConnectionUsage): string {
  if (c.apiUsage === null || c.apiLimit === null) return `API usage (${c.connection}): not reported yet`;
  const pct = c.apiLimit > 0 ? ` (${((100 * c.apiUsage) / c.apiLimit).toFixed(1)}%)` : '';
  const budget = c.apiBudget !== null ? `; budget ${c.apiBudget}, governor ${c.governor}` : '';
  return `API usage (${c.connection}): ${c.apiUsage} of ${c.apiLimit} requests today${pct}${budget}, as of ${formatTime(c.reportedAt)}`;
}
