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
