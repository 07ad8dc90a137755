/**
 * Prometheus metrics, computed from SQL at scrape time: everything sfsync
 * knows is already in Postgres (outbox, poll windows, connections, the job
 * queue), so no other module has to count anything, and every process behind
 * one database reports the same numbers.
 *
 * Values marked "total" are counts of rows still in the tables (pruning the
 * outbox lowers them); use them with `increase()` over short ranges.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

const MAPPING_LABELS = ['mapping_id', 'object'] as const;

/** The registry and a refresh that reads the database. */
export interface SfsyncMetrics {
  readonly registry: Registry;
  /** Query the database and set every gauge; call before `registry.metrics()`. */
  refresh(pool: pg.Pool): Promise<void>;
}

/** sql/queries/metrics.sql: every gauge's value in one round trip. */
const SQL = readFileSync(path.join(PACKAGE_ROOT, 'sql', 'queries', 'metrics.sql'), 'utf8');

/** Create a registry with sfsync's gauges (and Node's default process metrics). */
export function createMetrics(): SfsyncMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sfsync_process_' });
  const gauge = (name: string, help: string, labelNames: readonly string[]) => new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
  const perMapping = {
    pushed: gauge('sfsync_changes_pushed_total', 'Changes Salesforce accepted (outbox rows in state success).', MAPPING_LABELS),
    pulled: gauge('sfsync_changes_pulled_total', 'Records applied to Postgres by poll windows.', MAPPING_LABELS),
    pending: gauge('sfsync_changes_pending', 'Changes waiting to reach Salesforce.', MAPPING_LABELS),
    failed: gauge('sfsync_changes_failed', 'Changes Salesforce refused for good (see sfsync.failed_changes).', MAPPING_LABELS),
    windowErrors: gauge('sfsync_poll_windows_failed_total', 'Poll windows that failed.', MAPPING_LABELS),
    drift: gauge('sfsync_drift_fixed_total', 'Records found only by the secondary (drift) poll.', MAPPING_LABELS),
    apiCalls: gauge('sfsync_poll_api_calls_total', 'Salesforce API calls made by poll windows.', MAPPING_LABELS),
    pullLag: gauge('sfsync_pull_lag_seconds', 'How far the read watermark is behind now.', MAPPING_LABELS),
    pushLag: gauge('sfsync_push_lag_seconds', 'Age of the oldest change waiting to reach Salesforce.', MAPPING_LABELS),
    paused: gauge('sfsync_mapping_paused', '1 when the mapping is paused.', MAPPING_LABELS),
  };
  const apiUsage = gauge('sfsync_api_usage', "The org's API requests today, as Salesforce last reported them.", ['connection']);
  const apiLimit = gauge('sfsync_api_limit', "The org's daily API request limit.", ['connection']);
  const apiBudget = gauge('sfsync_api_budget', "sfsync's share of the org's daily API limit (connections.api_budget_share).", ['connection']);
  const governor = gauge('sfsync_api_governor', 'What the API governor does: 0 normal, 1 slow, 2 stopped (only waiting changes are pushed).', ['connection']);
  const perConnection: Record<string, Gauge> = { usage: apiUsage, limit: apiLimit, budget: apiBudget, governor };
  const queue = gauge('sfsync_queue_depth', 'graphile-worker jobs waiting or running, per task.', ['task']);
  return {
    registry,
    async refresh(pool) {
      const { rows } = await pool.query<{ kind: string; key: string; label: string; metric: string; value: number | null }>(SQL);
      for (const g of [...Object.values(perMapping), ...Object.values(perConnection), queue]) g.reset();
      for (const row of rows) {
        if (row.value === null) continue;
        if (row.kind === 'mapping') {
          const g = perMapping[row.metric as keyof typeof perMapping];
          g?.set({ mapping_id: row.key, object: row.label }, row.value);
        } else if (row.kind === 'connection') {
          perConnection[row.metric]?.set({ connection: row.label }, row.value);
        } else if (row.kind === 'queue') {
          queue.set({ task: row.label }, row.value);
        }
      }
    },
  };
}
