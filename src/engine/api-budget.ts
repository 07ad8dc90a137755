/**
 * The API budget component: every FLUSH_MS it reads the latest
 * `Sforce-Limit-Info` of each logged-in client into the governor
 * (jobs/api-governor.ts), writes what moved to `sfsync.connections` in one
 * statement (`sfsync.record_api_usage`), and reads back every connection's
 * budget share and the usage other processes wrote — so each process governs
 * on the org's latest figure, and `status`, `/metrics` and
 * `sfsync.api_budget` show it within seconds, at one write per flush.
 */
import { run, sfsync } from '../db/typed-query.js';
import type { EngineComponent, EngineContext } from '../jobs/context.js';

/** How often usage is written and read back, ms. */
export const FLUSH_MS = 2_000;

/**
 * A stopped connection makes no calls, so no response would tell it that
 * usage fell (a new day, a raised limit): one process's `/limits` call every
 * `poll.budgetProbeMs` does.
 */
async function probeStopped(ctx: EngineContext, connectionIds: string[]): Promise<void> {
  for (const id of connectionIds) {
    if (ctx.apiGovernor.state(id).level !== 'stopped') continue;
    if (Date.now() - (ctx.apiGovernor.reportedAt(id) ?? 0) < ctx.config.poll.budgetProbeMs) continue;
    const client = await ctx.salesforce(id);
    ctx.apiGovernor.observe(id, await client.probeApiUsage());
  }
}

async function flush(ctx: EngineContext, levels: Map<string, string>): Promise<void> {
  const governor = ctx.apiGovernor;
  governor.observeSources();
  await probeStopped(ctx, governor.connections()).catch((error: unknown) => ctx.logger.warn({ err: error }, 'probing the API usage failed'));
  const reports = governor.takeReports();
  if (reports.length > 0) {
    const states = reports.map((r) => governor.state(r.connectionId).level);
    await ctx.pool.query('select sfsync.record_api_usage($1::bigint[], $2::integer[], $3::integer[], $4::timestamptz[], $5::text[])', [
      reports.map((r) => r.connectionId),
      reports.map((r) => r.used),
      reports.map((r) => r.max),
      reports.map((r) => r.at.toISOString()),
      states,
    ]);
  }
  const rows = await run(ctx.pool, sfsync.selectFrom('connections').select(['id', 'api_usage', 'api_limit', 'api_usage_at', 'api_budget_share']));
  for (const row of rows) {
    governor.setShare(row.id, row.api_budget_share);
    if (row.api_usage !== null && row.api_limit !== null && row.api_usage_at !== null)
      governor.observe(row.id, { used: row.api_usage, max: row.api_limit }, new Date(row.api_usage_at).getTime(), false);
    const state = governor.state(row.id);
    if (levels.get(row.id) !== state.level) {
      if (levels.has(row.id) || state.level !== 'normal')
        ctx.logger.info({ connectionId: row.id, governor: state.level, used: state.used, budget: state.budget }, 'API governor changed');
      levels.set(row.id, state.level);
    }
  }
}

/** The component. */
export const apiBudget: EngineComponent = {
  name: 'api-budget',
  async start(ctx) {
    const levels = new Map<string, string>();
    let running: Promise<void> = Promise.resolve();
    const tick = () => {
      running = flush(ctx, levels).catch((error: unknown) => ctx.logger.warn({ err: error }, 'writing API usage failed; retrying'));
    };
    tick();
    await running;
    const timer = setInterval(tick, FLUSH_MS);
    return {
      async stop() {
        clearInterval(timer);
        await running;
        // The last responses' usage is not lost at a clean stop.
        await flush(ctx, levels).catch(() => undefined);
      },
    };
  },
};
