/**
 * `/jobs/ingest…`: create, list, info, upload, close/abort, delete and the
 * three result files of ingest jobs.
 */
import { MAX_BODY_BYTES, readBody, readJson, sendJson } from '../http.js';
import { bulkError, jobNotFound } from './bulk-errors.js';
import { IngestJob } from './ingest-job.js';
import { ensureParsed, processIngestJob } from './ingest-processor.js';
import { sendIngestResults, type IngestResultKind } from './ingest-results.js';
import { parseIngestSpec } from './ingest-spec.js';
import { jobList, methodNotAllowed, ownerOf, type BulkRequest } from './request-context.js';

const JSON_LIMIT = 1024 * 1024;
const RESULT_KINDS: Record<string, IngestResultKind> = {
  successfulresults: 'successfulResults',
  failedresults: 'failedResults',
  unprocessedrecords: 'unprocessedrecords',
};

/** Route one request below `/jobs/ingest`. */
export async function handleIngest(request: BulkRequest): Promise<void> {
  const { req, res, segments, store } = request;
  const [id, sub, ...rest] = segments;
  if (id === undefined) {
    if (req.method === 'POST') return createJob(request);
    if (req.method === 'GET') return sendJson(res, 200, jobList(store.list('ingest').map((j) => ({ ...j.summary(), jobType: 'V2Ingest' }))));
    return methodNotAllowed(req.method, ['GET', 'POST']);
  }
  const job = store.get('ingest', id);
  if (!job || rest.length > 0) throw jobNotFound(id);
  if (sub === undefined) return jobResource(request, job);
  if (sub === 'batches') {
    if (req.method !== 'PUT') return methodNotAllowed(req.method, ['PUT']);
    job.checkUploadAllowed();
    job.accept(await readBody(req, MAX_BODY_BYTES));
    return sendJson(res, 201);
  }
  const kind = RESULT_KINDS[sub.toLowerCase()];
  if (kind === undefined) throw jobNotFound(`${id}/${sub}`);
  if (req.method !== 'GET') return methodNotAllowed(req.method, ['GET']);
  if (!job.isFinished) {
    throw bulkError(409, 'JOB_NOT_COMPLETE', `Job ${job.id} is ${job.state}; its results are available once it is JobComplete, Failed or Aborted.`);
  }
  await ensureParsed(job, store).catch(() => undefined);
  await sendIngestResults(res, job, kind);
}

async function createJob(request: BulkRequest): Promise<void> {
  const { org, store, req, res } = request;
  const owner = ownerOf(request);
  const spec = parseIngestSpec(org.schema, await readJson(req, JSON_LIMIT));
  const job = new IngestJob(store.nextId(), spec, owner);
  store.add(job);
  sendJson(res, 200, job.summary());
}

async function jobResource(request: BulkRequest, job: IngestJob): Promise<void> {
  const { req, res, store, org } = request;
  switch (req.method) {
    case 'GET':
      return sendJson(res, 200, job.info());
    case 'PATCH': {
      const body = await readJson<Record<string, unknown> | null>(req, JSON_LIMIT);
      job.transition(body && typeof body === 'object' ? body['state'] : undefined);
      if (job.state === 'UploadComplete') void processIngestJob(job, org, store);
      return sendJson(res, 200, job.summary());
    }
    case 'DELETE':
      if (job.state === 'Open' || job.state === 'InProgress') {
        throw bulkError(409, 'INVALIDJOBSTATE', `Job ${job.id} is ${job.state}; close or abort it before deleting it.`);
      }
      // A closed job not yet picked up must not run after it is gone.
      if (job.state === 'UploadComplete') job.state = 'Aborted';
      store.delete(job.id);
      return sendJson(res, 204);
    default:
      return methodNotAllowed(req.method, ['GET', 'PATCH', 'DELETE']);
  }
}
