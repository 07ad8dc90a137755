/**
 * docs/grafana: every metric the dashboard and the example alert rules name
 * is one sfsync's /metrics serves (the registry the metrics server scrapes),
 * and the alerts cover engine down, push lag, pull lag, failed changes and
 * the API budget.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/engine/metrics.js';
import { REPO_ROOT } from '../support/run-cli.js';

/** Prometheus' own series, which no exporter serves. */
const PROMETHEUS_SERIES = new Set(['up']);

/** Sample names /metrics serves: each `# TYPE`, with the suffixes of histograms and summaries. */
async function servedNames(): Promise<Set<string>> {
  const text = await createMetrics().registry.metrics();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/** Metric names in a PromQL expression: every selector is written `name{…}`, and every sfsync_ word. */
function metricNames(expr: string): string[] {
  const selected = [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!);
  const ours = [...expr.matchAll(/\bsfsync_[a-z0-9_]+/g)].map((m) => m[0]);
  return [...new Set([...selected, ...ours])];
}

function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs', 'grafana', 'sfsync.json'), 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

/** `alert: Name` and its `expr:` (one line each in alerts.yml). */
function alertRules(): Array<{ alert: string; expr: string }> {
  const text = readFileSync(path.join(REPO_ROOT, 'docs', 'grafana', 'alerts.yml'), 'utf8');
  return [...text.matchAll(/- alert: (\S+)\n\s+expr: (.+)/g)].map((m) => ({ alert: m[1]!, expr: m[2]! }));
}

describe('docs/grafana', () => {
  it('the dashboard names only metrics /metrics serves, and every panel query names one', async () => {
    const served = await servedNames();
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      const names = metricNames(expr);
      expect(names, expr).not.toEqual([]);
      for (const name of names) expect(served.has(name) || PROMETHEUS_SERIES.has(name), `${name} in ${expr}`).toBe(true);
    }
  });

  it('the alerts name only metrics /metrics serves, and cover what an operator must hear about', async () => {
    const served = await servedNames();
    const rules = alertRules();
    for (const { alert, expr } of rules) {
      const names = metricNames(expr);
      expect(names, alert).not.toEqual([]);
      for (const name of names) expect(served.has(name) || PROMETHEUS_SERIES.has(name), `${name} in ${alert}`).toBe(true);
    }
    const covering = (metric: string) => rules.filter((r) => metricNames(r.expr).includes(metric)).map((r) => r.alert);
    expect(covering('up')).toEqual(['SfsyncEngineDown']);
    expect(covering('sfsync_push_lag_seconds')).toEqual(['SfsyncPushLagHigh']);
    expect(covering('sfsync_pull_lag_seconds')).toEqual(['SfsyncPullLagHigh']);
    expect(covering('sfsync_changes_failed')).toEqual(['SfsyncFailedChanges']);
    expect(covering('sfsync_api_limit')).toEqual(['SfsyncApiBudgetLow', 'SfsyncApiBudgetExhausted']);
  });
});
