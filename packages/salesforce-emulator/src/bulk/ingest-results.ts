/**
 * The three result files of an ingest job (Get Job Successful/Failed Record
 * Results, Get Job Unprocessed Record Results), in upload order:
 * - successfulResults: `sf__Id,sf__Created,<original columns>`
 * - failedResults: `sf__Id,sf__Error,<original columns>`, error `CODE:message:fields --`
 * - unprocessedrecords: the original columns of rows never processed
 */
import type { ServerResponse } from 'node:http';
import { sendCsv, type CsvCell } from './csv-writer.js';
import type { IngestJob } from './ingest-job.js';

/** Which result file. */
export type IngestResultKind = 'successfulResults' | 'failedResults' | 'unprocessedrecords';

/** Stream one result file of a job. */
export async function sendIngestResults(res: ServerResponse, job: IngestJob, kind: IngestResultKind): Promise<void> {
  const rows = pickRows(job, kind);
  const header = job.header;
  const prefix = kind === 'successfulResults' ? ['sf__Id', 'sf__Created'] : kind === 'failedResults' ? ['sf__Id', 'sf__Error'] : [];
  const source = (start: number, end: number): CsvCell[][] => {
    const out: CsvCell[][] = [];
    for (let k = start; k < end; k++) {
      const i = rows[k] as number;
      const original = job.rows[i] ?? [];
      if (kind === 'successfulResults') out.push([job.resultIds[i] ?? '', String(job.resultCreated[i] ?? false), ...original]);
      else if (kind === 'failedResults') out.push([job.resultIds[i] ?? '', job.resultErrors[i] ?? '', ...original]);
      else out.push(original);
    }
    return out;
  };
  await sendCsv(res, [...prefix, ...header], rows.length, source, job.spec);
}

/** Indexes of the rows that belong in a result file. */
function pickRows(job: IngestJob, kind: IngestResultKind): number[] {
  const rows: number[] = [];
  if (kind === 'unprocessedrecords') {
    for (let i = job.processed; i < job.rows.length; i++) rows.push(i);
    return rows;
  }
  const wantFailed = kind === 'failedResults';
  for (let i = 0; i < job.processed; i++) if ((job.resultErrors[i] !== undefined) === wantFailed) rows.push(i);
  return rows;
}
