/**
 * `/jobs/query…`: create, list, info, abort, delete and paged results of
 * query jobs.
 */
import { readJson, sendJson } from '../http.js';
import { bulkError, jobNotFound } from './bulk-errors.js';
import { processQueryJob } from './query-processor.js';
import type { QueryJob } from './query-job.js';
import { sendQueryPage } from './query-results.js';
import { createQueryJob } from './query-spec.js';
import { jobList, methodNotAllowed, ownerOf, type BulkRequest } from './request-context.js';

const JSON_LIMIT = 1024 * 1024;

/** Route one request below `/jobs/query`. */
export async function handleQuery(request: BulkRequest): Promise<void> {
  const { req, res, segments, store } = request;
  const [id, sub, ...rest] = segments;
  if (id === undefined) {
    if (req.method === 'POST') return createJob(request);
    if (req.method === 'GET') return sendJson(res, 200, jobList(store.list('query').map((j) => ({ ...j.summary(), jobType: 'V2Query' }))));
    return methodNotAllowed(req.method, ['GET', 'POST']);
  }
  const job = store.get('query', id);
  if (!job || rest.length > 0) throw jobNotFound(id);
  if (sub === undefined) return jobResource(request, job);
  if (sub !== 'results') throw jobNotFound(`${id}/${sub}`);
  if (req.method !== 'GET') return methodNotAllowed(req.method, ['GET']);
  if (request.route.apiVersion !== job.owner.apiVersion) {
    throw bulkError(
      409,
      'API_VERSION_MISMATCH',
      `Job ${job.id} was created with API version ${job.owner.apiVersion}; request its results with /services/data/v${job.owner.apiVersion}/jobs/query/${job.id}/results.`,
    );
  }
  if (job.state !== 'JobComplete') {
    throw bulkError(
      409,
      'JOB_NOT_COMPLETE',
      `Job ${job.id} is ${job.state}; poll GET /jobs/query/${job.id} until its state is JobComplete before reading results.`,
    );
  }
  await sendQueryPage(res, job, request.route.search);
}

async function createJob(request: BulkRequest): Promise<void> {
  const { org, store, req, res } = request;
  const owner = ownerOf(request);
  const job = createQueryJob(org, store.nextId(), owner, await readJson(req, JSON_LIMIT));
  store.add(job);
  void processQueryJob(job, org, store);
  sendJson(res, 200, job.summary());
}

async function jobResource(request: BulkRequest, job: QueryJob): Promise<void> {
  const { req, res, store } = request;
  switch (req.method) {
    case 'GET':
      return sendJson(res, 200, job.info());
    case 'PATCH': {
      const body = await readJson<Record<string, unknown> | null>(req, JSON_LIMIT);
      job.transition(body && typeof body === 'object' ? body['state'] : undefined);
      return sendJson(res, 200, job.summary());
    }
    case 'DELETE':
      if (!job.isFinished) {
        throw bulkError(409, 'INVALIDJOBSTATE', `Job ${job.id} is ${job.state}; abort it (PATCH {"state":"Aborted"}) before deleting it.`);
      }
      store.delete(job.id);
      return sendJson(res, 204);
    default:
      return methodNotAllowed(req.method, ['GET', 'PATCH', 'DELETE']);
  }
}
