/**
 * Running a query job in the background: take the cursor's flat rows once, in
 * blocks of 10,000 with a yield between blocks, so result pages can later be
 * cut by offset (a locator stays valid for as long as the job exists, as the
 * Bulk 2.0 docs promise).
 */
import type { OrgPort } from '../ports.js';
import { StoppedError, type JobStore } from './job-store.js';
import type { QueryJob } from './query-job.js';

/** Rows per `takeFlat` call. */
export const TAKE_BLOCK = 10_000;

/** Run a newly created job; never rejects (failures become the job's state). */
export async function processQueryJob(job: QueryJob, org: OrgPort, store: JobStore): Promise<void> {
  try {
    await store.sleep(0);
    if (job.state !== 'UploadComplete') return;
    job.state = 'InProgress';
    job.touch();
    await store.sleep(org.controls.bulkJobDelayMs + org.controls.bulkQueryMsPerRecord * (job.cursor?.remaining ?? 0));
    const started = Date.now();
    while (job.cursor && job.cursor.remaining > 0) {
      if (job.state !== 'InProgress') return;
      for (const row of job.cursor.takeFlat(TAKE_BLOCK)) job.rows.push(row);
      await store.yield();
    }
    if (job.state !== 'InProgress') return;
    job.cursor = undefined;
    job.processingMs = Date.now() - started;
    job.state = 'JobComplete';
    job.touch();
  } catch (error) {
    if (error instanceof StoppedError || job.isFinished) return;
    job.cursor = undefined;
    job.fail(`InternalServerError : ${(error as Error).message}`);
  }
}
