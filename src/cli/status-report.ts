/**
 * The status report as text (`sfsync status`, the demo's live view); the
 * data comes from engine/read-status.ts, which the status page reads too.
 */
import type { ConnectionUsage, MappingStatus, StatusReport } from '../engine/read-status.js';
import { formatSeconds, formatTable, formatTime, type Column } from './output.js';

export { readStatus, type ConnectionUsage, type MappingStatus, type StatusReport } from '../engine/read-status.js';

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
