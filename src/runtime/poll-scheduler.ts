/**
 * Keeps every mapping's poll chain alive. Polls reschedule themselves
 * (sync/apply/poll-jobs.ts explains why the schedule lives in graphile-worker
 * jobs); this component only re-seeds a chain that is missing — after a
 * restore, a job deleted by hand, or a mapping created while no engine ran —
 * at start and every 30 s. `preserve_run_at` leaves an existing job's time
 * alone, so re-seeding never postpones or duplicates a poll.
 */
import type { EngineComponent } from './engine-context.js';
import { WORKER_SCHEMA } from '../db/migrate.js';
import { jobKeys } from '../tasks/payloads.js';
import { loadInboundMappings } from '../sync/apply/inbound-mapping.js';
import { scheduleIntervalPoll, scheduleReload } from '../sync/apply/poll-jobs.js';

const RESEED_MS = 30_000;

/** The component. */
export const pollScheduler: EngineComponent = {
  name: 'poll-scheduler',
  async start(ctx) {
    const hasJob = async (mappingId: string) =>
      (await ctx.pool.query(`select 1 from ${WORKER_SCHEMA}.jobs where key = $1`, [jobKeys.reload(mappingId)])).rowCount !== 0;
    const seed = async () => {
      for (const m of await loadInboundMappings(ctx.pool)) {
        // A reload already queued or running (its job keeps the key) must not be doubled.
        if (m.state === 'new' && !(await hasJob(m.id))) await scheduleReload(ctx, m.id);
        else if (m.state === 'active') await scheduleIntervalPoll(ctx, m.id, new Date(), 'preserve_run_at');
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
