/**
 * Every Bulk job of one emulator, by Id, plus the timers their processing
 * waits on, so `stop()` can end them all.
 */
import { setImmediate as yieldImmediate } from 'node:timers/promises';
import type { IngestJob } from './ingest-job.js';
import { IdGenerator, normalizeId } from '../org/ids.js';

/** Key prefix of Bulk jobs (AsyncApexJob). */
export const JOB_KEY_PREFIX = '750';
import type { QueryJob } from './query-job.js';

/** Either kind of job. */
export type BulkJob = IngestJob | QueryJob;

/**
 * Finished jobs kept per kind. Salesforce deletes finished jobs after 7 days;
 * the emulator keeps results in memory, so it drops the oldest finished jobs
 * beyond this many instead (a long demo must not grow without bound).
 */
export const MAX_FINISHED_JOBS = 200;

/** Raised inside processing when the emulator stops; processing just ends. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
}

/** Jobs by Id, with cancellable waits for their background processing. */
export class JobStore {
  private readonly jobs = new Map<string, BulkJob>();
  private readonly ids = new IdGenerator();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;

  /** A fresh `750…` Id. */
  nextId(): string {
    return this.ids.next(JOB_KEY_PREFIX);
  }

  /** Register a new job, forgetting the oldest finished jobs of its kind beyond MAX_FINISHED_JOBS. */
  add(job: BulkJob): void {
    this.jobs.set(job.id, job);
    const finished = this.list(job.kind).filter((j) => j.isFinished);
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS))) this.jobs.delete(old.id);
  }

  /** The job of `kind` with this Id (15 or 18 chars), or undefined. */
  get<K extends BulkJob['kind']>(kind: K, rawId: string): Extract<BulkJob, { kind: K }> | undefined {
    // 15- or 18-character Ids in any case find the job, as on Salesforce.
    const job = this.jobs.get(normalizeId(rawId) ?? rawId);
    return job?.kind === kind ? (job as Extract<BulkJob, { kind: K }>) : undefined;
  }

  /** Jobs of one kind, oldest first. */
  list<K extends BulkJob['kind']>(kind: K): Array<Extract<BulkJob, { kind: K }>> {
    return [...this.jobs.values()].filter((job): job is Extract<BulkJob, { kind: K }> => job.kind === kind);
  }

  delete(id: string): void {
    this.jobs.delete(id);
  }

  /** Wait `ms` (0: one macrotask); rejects with StoppedError if the emulator stops first. */
  async sleep(ms: number): Promise<void> {
    this.assertRunning();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          resolve();
        },
        Math.max(0, ms),
      );
      this.timers.set(timer, () => reject(new StoppedError('Bulk API stopped')));
    });
  }

  /** Let the server answer other requests between chunks of work. */
  async yield(): Promise<void> {
    await yieldImmediate();
    this.assertRunning();
  }

  /** Cancel every wait; processing loops end at their next yield. */
  stop(): void {
    this.stopped = true;
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
  }

  private assertRunning(): void {
    if (this.stopped) throw new StoppedError('Bulk API stopped');
  }
}
