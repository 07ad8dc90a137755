/**
 * The status page (`GET /` on the metrics port): server-rendered HTML of the
 * same data `sfsync status` and `sfsync errors` print, read from the operator
 * views at each request; no build step, one small inline script (it reloads
 * the page every 5 s and carries the action token into the forms).
 *
 * Every value from the database or Salesforce goes through {@link escapeHtml}:
 * record values and error messages are written by whoever can write the org
 * or the table. Action forms are rendered only when an action token is
 * configured (status-actions.ts checks it).
 */
import type { FailedChange } from './failed-changes.js';
import type { MappingStatus, PollWindow, StatusReport } from './read-status.js';

/** What the page shows. */
export interface StatusPageData {
  report: StatusReport;
  failed: FailedChange[];
  windows: PollWindow[];
  /** When the data was read. */
  at: Date;
}

/** How to render it. */
export interface StatusPageOptions {
  /** Render the action forms (an action token is configured). */
  actions: boolean;
  /** CSP nonce of the inline script. */
  nonce: string;
  /** The outcome of the last action (from the redirect after a POST). */
  notice?: string;
}

/** Seconds between the page's reloads. */
export const REFRESH_SECONDS = 5;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML content and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function seconds(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  const s = Math.max(0, Math.round(value));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function time(value: string | null): string {
  return value ? value.replace('T', ' ').slice(0, 19) : '-';
}

function table(headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  // Cells arrive already escaped (or as trusted markup built here).
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A POST form for one action; the inline script fills `token` from the token field. */
function actionForm(action: string, fields: Record<string, string | number>, label: string): string {
  const hidden = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return `<form method="post" action="/actions/${escapeHtml(action)}" class="action">${hidden}<input type="hidden" name="token" value=""><button type="submit">${escapeHtml(label)}</button></form>`;
}

function mappingRow(m: MappingStatus, actions: boolean): string[] {
  const pause = m.state === 'paused' ? actionForm('resume', { mapping: m.mappingId }, 'resume') : actionForm('pause', { mapping: m.mappingId }, 'pause');
  const cells = [
    escapeHtml(m.mappingId),
    escapeHtml(m.connection),
    escapeHtml(m.sobject),
    escapeHtml(m.table),
    escapeHtml(m.mode),
    `<span class="state ${escapeHtml(m.state)}">${escapeHtml(m.state)}</span>`,
    `${escapeHtml(time(m.lastPollAt))} ${escapeHtml(m.lastPollOutcome ?? '')}`,
    escapeHtml(seconds(m.pullLagSeconds)),
    escapeHtml(seconds(m.pushLagSeconds)),
    escapeHtml(m.pendingChanges),
    m.failedChanges > 0 ? `<strong class="bad">${escapeHtml(m.failedChanges)}</strong>` : '0',
    escapeHtml(m.conflictsToday),
    escapeHtml(m.driftFixedToday),
    escapeHtml(m.apiCallsToday),
  ];
  return actions ? [...cells, `${pause}${actionForm('reload', { mapping: m.mappingId }, 'reload')}`] : cells;
}

function usage(used: number | null, limit: number | null): string {
  if (used === null || limit === null) return 'not reported yet';
  return `${used} of ${limit}${limit > 0 ? ` (${((100 * used) / limit).toFixed(1)}%)` : ''}`;
}

function sections(data: StatusPageData, actions: boolean): string {
  const { report, failed, windows } = data;
  const connections = table(
    // "sfsync budget": the share of the org's limit sfsync may spend (connections.api_budget_share), and what the API governor does.
    ['connection', 'state', 'API requests today (org)', 'sfsync budget', 'governor', 'reported at'],
    report.connections.map((c) => [
      escapeHtml(c.connection),
      `<span class="state ${escapeHtml(c.state)}">${escapeHtml(c.state)}</span>`,
      escapeHtml(usage(c.apiUsage, c.apiLimit)),
      escapeHtml(c.apiBudget === null ? '-' : usage(c.apiUsage, c.apiBudget)),
      escapeHtml(c.governor),
      escapeHtml(time(c.reportedAt)),
    ]),
    'No connection yet: run `sfsync connect`.',
  );
  const mappingHeaders = [
    'id',
    'connection',
    'object',
    'table',
    'mode',
    'state',
    'last poll',
    'pull lag',
    'push lag',
    'pending',
    'failed',
    'conflicts today',
    'drift fixed today',
    'API calls today',
  ];
  const mappings = table(
    actions ? [...mappingHeaders, 'actions'] : mappingHeaders,
    report.mappings.map((m) => mappingRow(m, actions)),
    'No mappings yet: add one with `sfsync map <Object> --fields A,B`.',
  );
  const failedRows = failed.map((f) => {
    const cells = [
      escapeHtml(f.id),
      escapeHtml(f.sobject),
      escapeHtml(f.recordId),
      escapeHtml(f.sfid ?? '-'),
      escapeHtml(f.op),
      escapeHtml(time(f.failedAt)),
      `<code>${escapeHtml(f.errorCode ?? '')}</code> ${escapeHtml(f.errorMessage ?? '')}`,
    ];
    return actions ? [...cells, `${actionForm('retry', { id: f.id }, 'retry')}${actionForm('discard', { id: f.id }, 'discard')}`] : cells;
  });
  const failedHeaders = ['id', 'object', 'row', 'sfid', 'op', 'failed at', "Salesforce's error"];
  const windowRows = windows.map((w) => [
    escapeHtml(time(w.startedAt)),
    escapeHtml(w.sobject),
    escapeHtml(w.kind),
    escapeHtml(`${time(w.lower)} → ${time(w.upper)}`),
    escapeHtml(w.api ?? '-'),
    escapeHtml(`${w.recordsApplied} / ${w.recordsSeen}`),
    escapeHtml(w.driftFixed),
    escapeHtml(w.apiCalls),
    `<span class="outcome ${escapeHtml(w.outcome ?? '')}">${escapeHtml(w.outcome ?? 'running')}</span>`,
    escapeHtml(seconds(w.seconds)),
  ]);
  return [
    '<h2>Connections</h2>',
    connections,
    '<h2>Mappings</h2>',
    mappings,
    `<h2 id="failed">Failed changes (${failed.length})</h2>`,
    table(actions ? [...failedHeaders, 'actions'] : failedHeaders, failedRows, 'No failed changes.'),
    '<h2>Recent poll windows</h2>',
    table(
      ['started', 'object', 'kind', 'window', 'API', 'applied / seen', 'drift fixed', 'API calls', 'outcome', 'took'],
      windowRows,
      'No poll window in the last 24 hours.',
    ),
  ].join('\n');
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse}th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}
.bad,.state.error,.outcome.failed{color:#b00020}.state.paused{color:#946200}.state.active,.outcome.succeeded{color:#1b5e20}.empty{color:#666}
form.action{display:inline;margin-right:.3em}.notice{background:#e8f5e9;padding:.5em}.token{margin:.5em 0}code{background:#f4f4f4}`;

/** Reload every REFRESH_SECONDS unless the token field is being typed in; keep the token for this tab and put it into a form when it is sent. */
const SCRIPT = `(() => {
  const field = document.getElementById('token');
  if (field) {
    field.value = sessionStorage.getItem('sfsync-token') || '';
    field.addEventListener('input', () => sessionStorage.setItem('sfsync-token', field.value));
    for (const form of document.querySelectorAll('form.action')) form.addEventListener('submit', () => { form.elements.token.value = field.value; });
  }
  setInterval(() => { if (document.activeElement !== field) location.replace('/'); }, ${REFRESH_SECONDS * 1000});
})();`;

/** The whole page. */
export function renderStatusPage(data: StatusPageData, options: StatusPageOptions): string {
  const token = options.actions
    ? '<p class="token"><label>Action token <input id="token" type="password" autocomplete="off"></label> (actions are sent with it; it stays in this tab)</p>'
    : '<p class="token">Read-only: set <code>metrics.actionToken</code> (or SFSYNC_ACTION_TOKEN) to retry, discard, pause, resume and reload from here.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sfsync status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<noscript><meta http-equiv="refresh" content="${REFRESH_SECONDS}"></noscript>
<style>${STYLE}</style></head>
<body>
<h1>sfsync status</h1>
<p>Read at ${escapeHtml(time(data.at.toISOString()))} UTC; refreshes every ${REFRESH_SECONDS} s. <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a></p>
${options.notice ? `<p class="notice" role="status">${escapeHtml(options.notice)}</p>` : ''}
${token}
${sections(data, options.actions)}
<script nonce="${escapeHtml(options.nonce)}">${SCRIPT}</script>
</body></html>
`;
}
