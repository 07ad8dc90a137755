/**
 * One Bulk 2.0 query job. The SOQL runs (and is validated) when the job is
 * created; in the background the matched rows' flat values are taken from the
 * cursor once, in blocks, and result pages are then cut from them by offset.
 * States: `UploadComplete → InProgress → JobComplete | Failed | Aborted`.
 */
import type { QueryCursor, SfValue } from '../ports.js';
import { bulkError } from './bulk-errors.js';
import { BulkJobBase } from './job-base.js';
import type { CsvDialect } from './csv-dialect.js';
import { formatDateTime } from './csv-values.js';
import type { JobOwner } from './ingest-job.js';

/** States of a query job. */
export type QueryState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** `query` (live rows) or `queryAll` (deleted and archived rows too). */
export type QueryOperation = 'query' | 'queryAll';

/** A query job and its materialised rows. */
export class QueryJob extends BulkJobBase<QueryState> {
  readonly kind = 'query';
  state: QueryState = 'UploadComplete';
  /** Rows in `columns` order, filled while InProgress. */
  readonly rows: SfValue[][] = [];
  /** The cursor until the rows are materialised. */
  cursor: QueryCursor | undefined;

  constructor(
    readonly id: string,
    readonly operation: QueryOperation,
    readonly query: string,
    readonly object: string,
    /** Select-list paths, the CSV header. */
    readonly columns: string[],
    /** Per column: whether it is a datetime (rendered `…Z`). */
    readonly dateTimeColumns: boolean[],
    readonly dialect: CsvDialect,
    readonly owner: JobOwner,
    cursor: QueryCursor,
  ) {
    super();
    this.cursor = cursor;
  }

  /** Abort on PATCH `{"state":"Aborted"}`; only unfinished jobs can be aborted. */
  transition(target: unknown): void {
    if (target !== 'Aborted' || this.isFinished) {
      throw bulkError(
        400,
        'INVALIDJOBSTATE',
        `Job ${this.id} is ${this.state} and cannot move to ${String(target)}; only an unfinished query job can be Aborted.`,
      );
    }
    this.state = 'Aborted';
    this.cursor = undefined;
    this.touch();
  }

  /** The job info as Create and Abort return it. */
  summary(): Record<string, unknown> {
    return {
      id: this.id,
      operation: this.operation,
      object: this.object,
      createdById: this.owner.userId,
      createdDate: formatDateTime(this.createdMs),
      systemModstamp: formatDateTime(this.modstampMs),
      state: this.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(this.owner.apiVersion),
      lineEnding: this.dialect.lineEnding,
      columnDelimiter: this.dialect.columnDelimiter,
    };
  }

  /** The job info as `GET /jobs/query/{id}` returns it. */
  info(): Record<string, unknown> {
    return {
      ...this.summary(),
      jobType: 'V2Query',
      numberRecordsProcessed: this.state === 'JobComplete' ? this.rows.length : 0,
      retries: 0,
      totalProcessingTime: this.processingMs,
      isPkChunkingSupported: true,
      ...(this.errorMessage !== undefined ? { errorMessage: this.errorMessage } : {}),
    };
  }
}
