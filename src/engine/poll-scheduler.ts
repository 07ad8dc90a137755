/**
 * Keeps every mapping's poll chain alive. Polls reschedule themselves
 * (jobs/schedule.ts explains why the schedule lives in graphile-worker
 * jobs); this component only re-seeds a chain that is missing — after a
 * restore, a job deleted by hand, or a mapping created while no engine ran —
 * at start and every 30 s. `preserve_run_at` leaves an existing job's time
 * alone, so re-seeding never postpones or duplicates a poll.
 *
 * It also keeps one `sfsync:reconcile` job per active mapping queued at the
 * next `config.poll.reconcileCron` time (UTC). A job per mapping rather than a
 * graphile-worker crontab entry: mappings come and go at run time, and the
 * same job key is what `sfsync.request_reconcile()` uses on demand.
 */
import type { EngineComponent } from '../jobs/context.js';
import { WORKER_SCHEMA } from '../db/migrate.js';
import { jobKeys } from '../jobs/payloads.js';
import { loadInboundMappings } from '../inbound/inbound-mapping.js';
import { scheduleIntervalPoll, scheduleReload } from '../jobs/schedule.js';
import { nextCronTime } from '../config/cron.js';

const RESEED_MS = 30_000;

/** The component. */
export const pollScheduler: EngineComponent = {
  name: 'poll-scheduler',
  async start(ctx) {
    const hasJob = async (mappingId: string) =>
      (await ctx.pool.query(`select 1 from ${WORKER_SCHEMA}.jobs where key = $1`, [jobKeys.reload(mappingId)])).rowCount !== 0;
    const seedOne = async (m: Awaited<ReturnType<typeof loadInboundMappings>>[number]) => {
      // A reload already queued or running (its job keeps the key) must not be doubled.
      if (m.state === 'new' && !(await hasJob(m.id))) await scheduleReload(ctx, m.id);
      else if (m.state === 'active') {
        await scheduleIntervalPoll(ctx, m.id, new Date(), 'preserve_run_at');
        // Nightly reconciliation: preserve_run_at keeps an on-demand (sooner) request as it is.
        await ctx.addJob(
          'sfsync:reconcile',
          { mappingId: m.id },
          { jobKey: jobKeys.reconcile(m.id), jobKeyMode: 'preserve_run_at', runAt: nextCronTime(ctx.config.poll.reconcileCron, new Date()), maxAttempts: 5 },
        );
      }
    };
    const seed = async () => {
      // One mapping's failure is logged and the others still seeded: the first failure used to stop the loop, leaving every later mapping unpolled.
      for (const m of await loadInboundMappings(ctx.pool)) {
        await seedOne(m).catch((error: unknown) => ctx.logger.warn({ err: error, mappingId: m.id }, 'seeding the polls of a mapping failed'));
      }
    };
    await seed().catch((error: unknown) => ctx.logger.warn({ err: error }, 'seeding polls failed'));
    const timer = setInterval(() => void seed().catch((error: unknown) => ctx.logger.warn({ err: error }, 'seeding polls failed')), RESEED_MS);
    return {
      async stop() {
        clearInterval(timer);
      },
    };
  },
};
