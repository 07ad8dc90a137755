/**
 * Bulk API 2.0 query jobs against the real emulator: jsforce `bulk2.query` for
 * a single page, and the results resource paged by hand (`locator`/`maxRecords`),
 * which is how the engine reads large results (jsforce fails on a second page,
 * jsforce#1546).
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsRequest, json, startBulkFixture, waitForState, type BulkFixture } from './bulk-helpers.js';

let fx: BulkFixture;
const ACCOUNTS = 25;

beforeAll(async () => {
  fx = await startBulkFixture();
  const lines = ['Name,Ext_Id__c,NumberOfEmployees,Description'];
  for (let i = 0; i < ACCOUNTS; i++) lines.push(`Q-${String(i).padStart(2, '0')},QX-${i},${i},${i === 0 ? '"say ""hi"", then\nleave"' : ''}`);
  const loaded = await fx.conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'insert', input: `${lines.join('\n')}\n` });
  expect(loaded.successfulResults).toHaveLength(ACCOUNTS);
});

afterAll(async () => {
  await fx?.emu.stop();
});

async function createQueryJob(operation: 'query' | 'queryAll', query: string): Promise<string> {
  const reply = await jobsRequest(fx, 'POST', '/query', JSON.stringify({ operation, query }));
  expect(reply.status).toBe(200);
  const created = json(reply);
  expect(created).toMatchObject({ operation, object: 'Account', state: 'UploadComplete', contentType: 'CSV' });
  return String(created['id']);
}

/** Read every page of a finished job with `maxRecords`, checking each page's header and counts. */
async function readAllPages(id: string, maxRecords: number, header: string): Promise<{ pages: number; rows: string[][] }> {
  const rows: string[][] = [];
  let locator: string | null = null;
  let pages = 0;
  do {
    const query: string = `?maxRecords=${maxRecords}${locator === null ? '' : `&locator=${locator}`}`;
    const reply = await jobsRequest(fx, 'GET', `/query/${id}/results${query}`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(reply.text.split('\n')[0]).toBe(header);
    const records = parse(reply.text, { columns: false }) as string[][];
    expect(Number(reply.headers.get('sforce-numberofrecords'))).toBe(records.length - 1);
    expect(records.length - 1).toBeLessThanOrEqual(maxRecords);
    rows.push(...records.slice(1));
    const next = reply.headers.get('sforce-locator');
    expect(next).not.toBeNull();
    locator = next === 'null' ? null : next;
    pages += 1;
  } while (locator !== null && pages < 100);
  return { pages, rows };
}

describe('query jobs', () => {
  it('pages results by locator with a header row on every page and a final null locator', async () => {
    const id = await createQueryJob('query', "SELECT Id, Name, NumberOfEmployees, Description, CreatedDate FROM Account WHERE Name LIKE 'Q-%' ORDER BY Name");
    const info = await waitForState(fx, 'query', id, ['JobComplete']);
    expect(info).toMatchObject({ jobType: 'V2Query', numberRecordsProcessed: ACCOUNTS, isPkChunkingSupported: true, retries: 0 });
    const { pages, rows } = await readAllPages(id, 10, '"Id","Name","NumberOfEmployees","Description","CreatedDate"');
    expect(pages).toBe(3);
    expect(rows.map((r) => r[1])).toEqual(Array.from({ length: ACCOUNTS }, (_, i) => `Q-${String(i).padStart(2, '0')}`));
    expect(rows[0]?.[3]).toBe('say "hi", then\nleave');
    expect(rows[1]?.[3]).toBe('');
    expect(rows[0]?.[4]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // A locator can be used again for as long as the job exists.
    const first = await jobsRequest(fx, 'GET', `/query/${id}/results?maxRecords=10`);
    const again = await jobsRequest(fx, 'GET', `/query/${id}/results?maxRecords=10&locator=${first.headers.get('sforce-locator') ?? ''}`);
    expect(again.text).toContain('"Q-10"');
    // Every value is quoted; null is an empty, unquoted value.
    expect(again.text.split('\n')[1]).toMatch(/^"[a-zA-Z0-9]{18}","Q-10","10",,"/);
  });

  it('includes deleted rows with queryAll only', async () => {
    const [victim] = fx.emu.org.query("SELECT Id FROM Account WHERE Name = 'Q-24'", { includeDeleted: false, apiVersion: '59.0' }).takeFlat(1);
    const deleted = await fx.conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'delete', input: `Id\n${String(victim?.[0])}\n` });
    expect(deleted.failedResults).toEqual([]);
    const soql = "SELECT Name, IsDeleted FROM Account WHERE Name LIKE 'Q-%' ORDER BY Name";
    const live = await createQueryJob('query', soql);
    const all = await createQueryJob('queryAll', soql);
    await waitForState(fx, 'query', live, ['JobComplete']);
    await waitForState(fx, 'query', all, ['JobComplete']);
    expect((await readAllPages(live, 8, '"Name","IsDeleted"')).rows).toHaveLength(ACCOUNTS - 1);
    const everything = await readAllPages(all, 8, '"Name","IsDeleted"');
    expect(everything.pages).toBe(4);
    expect(everything.rows.at(-1)).toEqual(['Q-24', 'true']);
  });

  it('works with jsforce bulk2.query on a single-page result', async () => {
    const records = await fx.conn.bulk2.query("SELECT Name, Ext_Id__c FROM Account WHERE Name IN ('Q-01','Q-02') ORDER BY Name");
    const out: unknown[] = [];
    for await (const record of records) out.push(record);
    expect(out).toEqual([
      { Name: 'Q-01', Ext_Id__c: 'QX-1' },
      { Name: 'Q-02', Ext_Id__c: 'QX-2' },
    ]);
  });

  it('rejects bad SOQL, wrong versions, unfinished results and bad input, and keeps serving', async () => {
    const error = async (reply: Promise<{ status: number; text: string }>, status: number, errorCode: string) => {
      const r = await reply;
      expect(r.status).toBe(status);
      expect(JSON.parse(r.text)[0]).toMatchObject({ errorCode, message: expect.any(String) });
    };
    await error(jobsRequest(fx, 'POST', '/query', JSON.stringify({ operation: 'query', query: 'SELECT Nope FROM Account' })), 400, 'INVALID_FIELD');
    await error(jobsRequest(fx, 'POST', '/query', JSON.stringify({ operation: 'query', query: 'SELEKT' })), 400, 'MALFORMED_QUERY');
    await error(jobsRequest(fx, 'POST', '/query', JSON.stringify({ operation: 'query', query: 'SELECT COUNT() FROM Account' })), 400, 'API_ERROR');
    await error(jobsRequest(fx, 'POST', '/query', JSON.stringify({ operation: 'queryMore', query: 'SELECT Id FROM Account' })), 400, 'INVALIDJOB');
    await error(jobsRequest(fx, 'POST', '/query', '{'), 400, 'JSON_PARSER_ERROR');
    await error(jobsRequest(fx, 'GET', '/query/750000000000000AAA/results'), 404, 'NOT_FOUND');
    await expect(fx.conn.bulk2.query('SELECT Nope FROM Account')).rejects.toMatchObject({ name: 'INVALID_FIELD' });

    fx.emu.org.controls.bulkJobDelayMs = 300;
    try {
      const slow = await createQueryJob('query', 'SELECT Id FROM Account');
      await waitForState(fx, 'query', slow, ['InProgress']);
      await error(jobsRequest(fx, 'GET', `/query/${slow}/results`), 409, 'JOB_NOT_COMPLETE');
      await error(jobsRequest(fx, 'DELETE', `/query/${slow}`), 409, 'INVALIDJOBSTATE');
      const aborted = json(await jobsRequest(fx, 'PATCH', `/query/${slow}`, JSON.stringify({ state: 'Aborted' })));
      expect(aborted['state']).toBe('Aborted');
      expect((await jobsRequest(fx, 'DELETE', `/query/${slow}`)).status).toBe(204);
    } finally {
      fx.emu.org.controls.bulkJobDelayMs = 0;
    }

    const done = await createQueryJob('query', 'SELECT Id FROM Account LIMIT 1');
    await waitForState(fx, 'query', done, ['JobComplete']);
    await error(jobsRequest(fx, 'GET', `/query/${done}/results`, undefined, { version: '58.0' }), 409, 'API_VERSION_MISMATCH');
    await error(jobsRequest(fx, 'GET', `/query/${done}/results?locator=bogus`), 400, 'INVALIDLOCATOR');
    await error(jobsRequest(fx, 'GET', `/query/${done}/results?maxRecords=0`), 400, 'INVALIDJOB');
    const list = json<{ records: Array<{ id: string; jobType: string }> }>(await jobsRequest(fx, 'GET', '/query'));
    expect(list.records.find((r) => r.id === done)).toMatchObject({ jobType: 'V2Query' });
    const only = await jobsRequest(fx, 'GET', `/query/${done}/results`);
    expect(only.headers.get('sforce-locator')).toBe('null');
    expect(only.headers.get('sforce-numberofrecords')).toBe('1');
  });
});
