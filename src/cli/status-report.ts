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

/** One connection's API budget as Salesforce last reported it. */
export interface ConnectionUsage {
  connection: string;
  apiUsage: number | null;
  apiLimit: number | null;
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
  const connections = await run(pool, sfsync.selectFrom('connections').select(['name', 'api_usage', 'api_limit', 'api_usage_at']).orderBy('id'));
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
      apiUsage: r.api_usage,
      apiLimit: r.api_limit,
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

/** The report as text: a table of mappings, then one API-budget line per connection. */
export function formatStatus(report: StatusReport): string {
  const lines = [formatTable(report.mappings, COLUMNS, 'No mappings yet: add one with `sfsync map <Object> --fields A,B`.')];
  for (const c of report.connections) lines.push(formatUsage(c));
  return lines.join('\n');
}

function formatUsage(c: ConnectionUsage): string {
  if (c.apiUsage === null || c.apiLimit === null) return `API usage (${c.connection}): not reported yet`;
  const pct = c.apiLimit > 0 ? ` (${((100 * c.apiUsage) / c.apiLimit).toFixed(1)}%)` : '';
  return `API usage (${c.connection}): ${c.apiUsage} of ${c.apiLimit} requests today${pct}, as of ${formatTime(c.reportedAt)}`;
}
