/**
 * Processing a closed ingest job in the background: parse the upload, resolve
 * the header (an unknown column fails the job), then write rows through
 * `org.write` in chunks of 200 (Bulk 2.0's internal chunk size for most
 * objects), yielding to the event loop between chunks.
 */
import type { OrgPort, WriteOp, WriteResult } from '../ports.js';
import { HeaderError, planHeader, type HeaderPlan } from './csv-columns.js';
import { CsvInputError, readCsv } from './csv-reader.js';
import type { IngestJob } from './ingest-job.js';
import { StoppedError, type JobStore } from './job-store.js';
import { isRowError, rowToOp } from './row-to-op.js';

/** Records per `org.write` call. */
export const CHUNK_SIZE = 200;

/** Run a job that was just closed; never rejects (failures become the job's state). */
export async function processIngestJob(job: IngestJob, org: OrgPort, store: JobStore): Promise<void> {
  try {
    await store.sleep(0);
    if (job.state !== 'UploadComplete') return;
    job.state = 'InProgress';
    job.touch();
    await store.sleep(org.controls.bulkJobDelayMs);
    await ensureParsed(job, store);
    await store.sleep(org.controls.bulkIngestMsPerRecord * job.rows.length);
    const started = Date.now();
    await runRows(job, org, store);
    job.processingMs += Date.now() - started;
    if (job.state === 'InProgress') {
      job.state = 'JobComplete';
      job.touch();
    }
  } catch (error) {
    if (error instanceof StoppedError) return;
    if (job.isFinished) return;
    const known = error instanceof HeaderError || error instanceof CsvInputError;
    job.fail(known ? error.message : `InternalServerError : ${(error as Error).message}`);
  }
}

/**
 * Parse the upload into `job.header`/`job.rows` unless done already, so the
 * unprocessed records of a job aborted before processing can still be listed.
 * A CSV that fails to parse leaves the rows read so far.
 */
export async function ensureParsed(job: IngestJob, store: JobStore): Promise<void> {
  if (job.parsing === undefined) {
    if (job.upload === undefined) return;
    job.parsing = parseUpload(job, job.upload, store);
  }
  await job.parsing;
}

async function parseUpload(job: IngestJob, upload: Buffer, store: JobStore): Promise<void> {
  try {
    await readCsv(upload, job.spec, () => store.yield(), job.rows);
  } finally {
    job.header = job.rows.shift() ?? [];
    // The rows now hold the data; a 100 MB upload need not be kept twice.
    job.upload = undefined;
  }
}

async function runRows(job: IngestJob, org: OrgPort, store: JobStore): Promise<void> {
  await ensureParsed(job, store);
  if (job.header.length === 0) return;
  const { spec } = job;
  const plan = planHeader(org.schema, spec.object, job.header, spec.operation, spec.externalIdFieldName);
  while (job.processed < job.rows.length) {
    if (job.state !== 'InProgress') return;
    const end = Math.min(job.processed + CHUNK_SIZE, job.rows.length);
    writeChunk(job, org, plan, end);
    job.touch();
    await store.yield();
  }
}

/** Write rows [job.processed, end) and record their outcomes. */
function writeChunk(job: IngestJob, org: OrgPort, plan: HeaderPlan, end: number): void {
  const start = job.processed;
  const ops: WriteOp[] = [];
  const opRows: number[] = [];
  for (let i = start; i < end; i++) {
    const op = rowToOp(job.spec, plan, job.rows[i] ?? []);
    if (isRowError(op)) {
      job.resultIds[i] = op.id;
      job.resultErrors[i] = op.error;
      job.resultCreated[i] = false;
    } else {
      ops.push(op);
      opRows.push(i);
    }
  }
  const results = ops.length > 0 ? org.write(ops, { allOrNone: false }, { userId: job.owner.userId, changeOrigin: job.owner.changeOrigin }) : [];
  for (let k = 0; k < opRows.length; k++) {
    const row = opRows[k] as number;
    recordResult(job, row, results[k], ops[k]);
  }
  for (let i = start; i < end; i++) if (job.resultErrors[i] !== undefined) job.failed += 1;
  job.processed = end;
}

function recordResult(job: IngestJob, row: number, result: WriteResult | undefined, op: WriteOp | undefined): void {
  const knownId = op && 'id' in op ? op.id : '';
  if (result?.success) {
    job.resultIds[row] = result.id;
    job.resultCreated[row] = result.created ?? job.spec.operation === 'insert';
    job.resultErrors[row] = undefined;
    return;
  }
  job.resultIds[row] = result?.id ?? knownId;
  job.resultCreated[row] = false;
  const errors = result?.errors ?? [{ statusCode: 'UNKNOWN_EXCEPTION', message: 'The org returned no result for this row', fields: [] }];
  job.resultErrors[row] = errors.map((e) => `${e.statusCode}:${e.message}:${e.fields.join(',')}${e.fields.length ? ' ' : ''}--`).join(' ');
}
