/**
 * The status report (`sfsync status`, the demo's live view): one query of the
 * `sfsync.mapping_status` view, with durations as seconds for printing.
 */
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
  const mappings = await pool.query(
    `select mapping_id::int, connection, sobject, schema_name || '.' || table_name as table, mode, state,
            last_poll_at, last_poll_outcome, extract(epoch from pull_lag)::float8 as pull_lag,
            extract(epoch from push_lag)::float8 as push_lag, pending_changes::int, failed_changes::int,
            api_calls_today::int, last_error
       from sfsync.mapping_status order by mapping_id`,
  );
  const connections = await pool.query('select name, api_usage, api_limit, api_usage_at from sfsync.connections order by id');
  return {
    mappings: mappings.rows.map((r) => ({
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
    connections: connections.rows.map((r) => ({
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
