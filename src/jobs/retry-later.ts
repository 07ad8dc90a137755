/**
 * A failed drift re-poll, reload or reconciliation is queued again by the
 * task itself, forever, with a back-off capped at one minute.
 *
 * graphile-worker's own retries are not enough for these: they give up after
 * `maxAttempts`, and their back-off grows to hours (exp(attempts) seconds), so
 * a window that failed during a 15-second API outage could wait far longer
 * than the outage, or never be polled again. A task that fails re-adds its
 * own job under its job key before rethrowing; graphile-worker then marks the
 * running job as out of attempts (a job key re-added while its job runs does
 * that), so exactly one retry is queued, and the error is still logged.
 */
import type { EngineContext } from './context.js';
import type { TaskName, TaskPayloads } from './payloads.js';

/** First retry after 2 s, doubling, at most 60 s: the soak's faults clear within a minute, and so does its backlog. */
export function retryDelayMs(retry: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, retry));
}

/** What to queue again. */
export interface RetrySpec<N extends TaskName> {
  task: N;
  payload: TaskPayloads[N] & { retry?: number };
  jobKey: string;
  queueName?: string;
}

/** Run `fn`; when it throws, queue the task again after {@link retryDelayMs} and rethrow. */
export async function retryLaterOnFailure<N extends TaskName>(ctx: EngineContext, spec: RetrySpec<N>, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    const retry = (spec.payload.retry ?? 0) + 1;
    const runAt = new Date(Date.now() + retryDelayMs(retry - 1));
    await ctx
      .addJob(
        spec.task,
        { ...spec.payload, retry },
        { jobKey: spec.jobKey, jobKeyMode: 'replace', runAt, ...(spec.queueName ? { queueName: spec.queueName } : {}) },
      )
      .catch((queueError: unknown) => ctx.logger.warn({ err: queueError, task: spec.task }, 'could not queue the retry; graphile-worker retries the job'));
    ctx.logger.warn({ err: error, task: spec.task, retry, runAt }, 'inbound job failed; queued again');
    throw error;
  }
}
