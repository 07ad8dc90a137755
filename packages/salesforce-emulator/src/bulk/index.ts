/**
 * Bulk API 2.0 for the emulator, mounted by the server at
 * `/services/data/vNN.N/jobs` (docs/wire-notes.md, Bulk API 2.0).
 *
 * Terms:
 * - ingest job: an insert/update/upsert/delete/hardDelete of one object from one uploaded CSV
 * - query job: a SOQL query whose result is read as CSV pages
 * - locator: the opaque token of a result page (`Sforce-Locator`, `null` after the last page)
 *
 * Jobs move `Open → UploadComplete → InProgress → JobComplete | Failed | Aborted`
 * in the background (never inside a request), in chunks of 200 records with a
 * yield between chunks; `controls.bulkJobDelayMs` keeps a job InProgress longer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http.js';
import type { HttpPart, OrgPort, RouteInfo } from '../ports.js';
import { bulkError, sendBulkError } from './bulk-errors.js';
import { handleIngest } from './ingest-routes.js';
import { JobStore } from './job-store.js';
import { handleQuery } from './query-routes.js';

/** Create the Bulk API 2.0 part for one org. `stop()` ends background processing. */
export function createBulkApi(org: OrgPort): HttpPart {
  const store = new JobStore();
  return {
    async handle(req: IncomingMessage, res: ServerResponse, route: RouteInfo): Promise<void> {
      try {
        const [kind, ...segments] = route.path.split('/').filter((s) => s !== '');
        const request = { req, res, route, org, store, segments };
        if (kind === 'ingest') await handleIngest(request);
        else if (kind === 'query') await handleQuery(request);
        else throw bulkError(404, 'NOT_FOUND', `The requested resource does not exist: /jobs${route.path}. Use /jobs/ingest or /jobs/query.`);
      } catch (error) {
        replyWithError(res, error);
      }
    },
    async stop(): Promise<void> {
      store.stop();
    },
  };
}

function replyWithError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const httpError =
    error instanceof HttpError
      ? error
      : bulkError(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred in the emulator's Bulk API: ${(error as Error)?.message ?? String(error)}`);
  sendBulkError(res, httpError);
}
