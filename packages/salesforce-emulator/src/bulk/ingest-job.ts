/**
 * One Bulk 2.0 ingest job: what it was created with, its uploaded CSV, its state
 * (`Open → UploadComplete → InProgress → JobComplete | Failed | Aborted`) and
 * the outcome of every processed row, in upload order.
 */
import { bulkError } from './bulk-errors.js';
import { BulkJobBase } from './job-base.js';
import { formatDateTime } from './csv-values.js';
import type { IngestSpec } from './ingest-spec.js';

/** States of an ingest job. */
export type IngestState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** Who created a job, and from where. */
export interface JobOwner {
  userId: string;
  /** `com/salesforce/api/bulkapi/<ver>[;client=…]`, for audit fields and CDC. */
  changeOrigin: string;
  /** The API version the job was created with, e.g. `59.0`. */
  apiVersion: string;
}

/** An ingest job and everything it has produced so far. */
export class IngestJob extends BulkJobBase<IngestState> {
  readonly kind = 'ingest';
  state: IngestState = 'Open';
  /** The single uploaded CSV (Bulk 2.0 takes one PUT per job), released once parsed. */
  upload: Buffer | undefined;
  /** Whether the one upload has been received. */
  uploaded = false;
  /** Parsing of the upload into `header` and `rows`, once started. */
  parsing: Promise<void> | undefined;
  header: string[] = [];
  readonly rows: string[][] = [];
  /** Rows [0, processed) have an outcome; the rest are unprocessed. */
  processed = 0;
  failed = 0;
  /** Per processed row: the record Id ('' when unknown). */
  readonly resultIds: string[] = [];
  /** Per processed row: `CODE:message:fields --`, or undefined on success. */
  readonly resultErrors: Array<string | undefined> = [];
  /** Per processed row: whether the record was created. */
  readonly resultCreated: boolean[] = [];

  constructor(
    readonly id: string,
    readonly spec: IngestSpec,
    readonly owner: JobOwner,
  ) {
    super();
  }

  /** Throw unless an upload may be stored now: only one, and only while Open. */
  checkUploadAllowed(): void {
    if (this.state !== 'Open') {
      throw bulkError(409, 'INVALIDJOBSTATE', `Job ${this.id} is ${this.state}; data can be uploaded only while the job is Open.`);
    }
    if (this.uploaded) {
      throw bulkError(
        400,
        'BULK_API_ERROR',
        `Found multiple contents for job: ${this.id}, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
      );
    }
  }

  /** Store the upload (checked again: the body was read in between). */
  accept(body: Buffer): void {
    this.checkUploadAllowed();
    this.upload = body;
    this.uploaded = true;
    this.touch();
  }

  /** Move to a new state after a PATCH, checking the transition is legal. */
  transition(target: unknown): void {
    if (target === 'UploadComplete' && this.state === 'Open') {
      this.state = 'UploadComplete';
    } else if (target === 'Aborted' && (this.state === 'Open' || this.state === 'UploadComplete' || this.state === 'InProgress')) {
      this.state = 'Aborted';
    } else {
      throw bulkError(
        400,
        'INVALIDJOBSTATE',
        `Job ${this.id} is ${this.state} and cannot move to ${String(target)}. Close an Open job with UploadComplete, or abort an unfinished one with Aborted.`,
      );
    }
    this.touch();
  }

  /** The job info as Create/Close/Abort return it. */
  summary(): Record<string, unknown> {
    const { spec } = this;
    return {
      id: this.id,
      operation: spec.operation,
      object: spec.object.name,
      createdById: this.owner.userId,
      createdDate: formatDateTime(this.createdMs),
      systemModstamp: formatDateTime(this.modstampMs),
      state: this.state,
      ...(spec.externalIdFieldName !== undefined ? { externalIdFieldName: spec.externalIdFieldName } : {}),
      concurrencyMode: 'Parallel',
      contentType: spec.contentType,
      apiVersion: Number(this.owner.apiVersion),
      contentUrl: `services/data/v${this.owner.apiVersion}/jobs/ingest/${this.id}/batches`,
      lineEnding: spec.lineEnding,
      columnDelimiter: spec.columnDelimiter,
    };
  }

  /** The job info as `GET /jobs/ingest/{id}` returns it. */
  info(): Record<string, unknown> {
    return {
      ...this.summary(),
      jobType: 'V2Ingest',
      retries: 0,
      numberRecordsProcessed: this.processed,
      numberRecordsFailed: this.failed,
      totalProcessingTime: this.processingMs,
      apiActiveProcessingTime: this.processingMs,
      apexProcessingTime: 0,
      ...(this.errorMessage !== undefined ? { errorMessage: this.errorMessage } : {}),
    };
  }
}
