/**
 * What every Bulk 2.0 job has, ingest or query: a state that ends in
 * JobComplete, Failed or Aborted, its timestamps, and Salesforce's
 * `errorMessage` when it failed.
 */

/** The terminal states shared by both job kinds. */
type TerminalState = 'JobComplete' | 'Failed' | 'Aborted';

/** The shared part of IngestJob and QueryJob. */
export abstract class BulkJobBase<S extends string> {
  abstract state: S | TerminalState;
  readonly createdMs = Date.now();
  modstampMs = this.createdMs;
  errorMessage: string | undefined;
  processingMs = 0;

  /** Mark the job Failed with Salesforce's `errorMessage`. */
  fail(message: string): void {
    this.state = 'Failed';
    this.errorMessage = message;
    this.touch();
  }

  /** True once the job will not change again. */
  get isFinished(): boolean {
    return this.state === 'JobComplete' || this.state === 'Failed' || this.state === 'Aborted';
  }

  /** Record a change (the job info's systemModstamp). */
  touch(): void {
    this.modstampMs = Date.now();
  }
}
