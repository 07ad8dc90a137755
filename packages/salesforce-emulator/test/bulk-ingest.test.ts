/**
 * Bulk API 2.0 ingest against the real emulator, driven by the real jsforce
 * client (`conn.bulk2`) and, where jsforce hides the wire, by raw requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfValue } from '../src/ports.js';
import { API_VERSION, jobsRequest, json, startBulkFixture, waitForState, type BulkFixture } from './bulk-helpers.js';

let fx: BulkFixture;

beforeAll(async () => {
  fx = await startBulkFixture();
});

afterAll(async () => {
  await fx?.emu.stop();
});

/** Flat rows of a SOQL query run directly against the org. */
function rows(soql: string, includeDeleted = false): SfValue[][] {
  const cursor = fx.emu.org.query(soql, { includeDeleted, apiVersion: API_VERSION });
  return cursor.takeFlat(cursor.remaining);
}

/** Result rows as jsforce parses them: every value a string. */
type ResultRow = Record<string, string>;

async function load(
  operation: 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete',
  object: string,
  input: string,
  externalIdFieldName?: string,
): Promise<{ successfulResults: ResultRow[]; failedResults: ResultRow[]; unprocessedRecords: ResultRow[] }> {
  const results = await fx.conn.bulk2.loadAndWaitForResults({ object, operation, input, ...(externalIdFieldName ? { externalIdFieldName } : {}) });
  return results as unknown as { successfulResults: ResultRow[]; failedResults: ResultRow[]; unprocessedRecords: ResultRow[] };
}

describe('ingest with jsforce loadAndWaitForResults', () => {
  it('inserts quoted, multi-line and unicode values and converts types', async () => {
    const csv = [
      'Ext__c,Memo__c,Issued_At__c,Due__c,Paid__c,Amount__c',
      'INV-1,"Comma, ""quotes"" and\nnewline",2024-01-02T03:04:05Z,2024-02-29,true,12.5',
      'INV-2,  spaced ünïcödé 日本  ,2024-01-02T03:04:05.123+02:00,,false,#N/A',
      'INV-3,#N/A,2024-01-02T03:04:05.000-0530,2024-01-03,TRUE,0',
    ].join('\n');
    const result = await load('insert', 'Invoice__c', `${csv}\n`);
    expect(result.failedResults).toEqual([]);
    expect(result.unprocessedRecords).toEqual([]);
    expect(result.successfulResults.map((r) => [r['sf__Created'], r['Ext__c']])).toEqual([
      ['true', 'INV-1'],
      ['true', 'INV-2'],
      ['true', 'INV-3'],
    ]);
    expect(result.successfulResults[0]?.['Memo__c']).toBe('Comma, "quotes" and\nnewline');
    expect(String(result.successfulResults[0]?.['sf__Id'])).toMatch(/^[a-zA-Z0-9]{18}$/);
    expect(rows('SELECT Ext__c, Memo__c, Issued_At__c, Due__c, Paid__c, Amount__c FROM Invoice__c ORDER BY Ext__c')).toEqual([
      ['INV-1', 'Comma, "quotes" and\nnewline', '2024-01-02T03:04:05.000+0000', '2024-02-29', true, 12.5],
      ['INV-2', '  spaced ünïcödé 日本  ', '2024-01-02T01:04:05.123+0000', null, false, null],
      ['INV-3', null, '2024-01-02T08:34:05.000+0000', '2024-01-03', true, 0],
    ]);
  });

  it('ignores empty values on update and nulls #N/A', async () => {
    const [id] = rows("SELECT Id FROM Invoice__c WHERE Ext__c = 'INV-1'")[0] ?? [];
    const result = await load('update', 'Invoice__c', `Id,Memo__c,Amount__c,Paid__c\n${String(id)},,#N/A,false\n`);
    expect(result.failedResults).toEqual([]);
    expect(result.successfulResults).toEqual([{ sf__Id: id, sf__Created: 'false', Id: id, Memo__c: '', Amount__c: '#N/A', Paid__c: 'false' }]);
    expect(rows(`SELECT Memo__c, Amount__c, Paid__c FROM Invoice__c WHERE Id = '${String(id)}'`)).toEqual([['Comma, "quotes" and\nnewline', null, false]]);
  });

  it('upserts by external id, creating and updating, and links parents by external id', async () => {
    await load('insert', 'Account', 'Name,Ext_Id__c\nParent Co,ACC-1\n');
    const result = await load('upsert', 'Invoice__c', 'Ext__c,Amount__c,Account__r.Ext_Id__c\nINV-2,99,ACC-1\nINV-9,1,ACC-1\n', 'Ext__c');
    expect(result.failedResults).toEqual([]);
    expect(result.successfulResults.map((r) => [r['Ext__c'], r['sf__Created']])).toEqual([
      ['INV-2', 'false'],
      ['INV-9', 'true'],
    ]);
    expect(rows("SELECT Ext__c, Amount__c, Account__r.Ext_Id__c FROM Invoice__c WHERE Ext__c IN ('INV-2','INV-9') ORDER BY Ext__c")).toEqual([
      ['INV-2', 99, 'ACC-1'],
      ['INV-9', 1, 'ACC-1'],
    ]);
    const contacts = await load('insert', 'Contact', 'LastName,account.ext_id__c\nDoe,ACC-1\n');
    expect(contacts.failedResults).toEqual([]);
    expect(rows("SELECT Account.Ext_Id__c FROM Contact WHERE LastName = 'Doe'")).toEqual([['ACC-1']]);
  });

  it('deletes to the recycle bin and hard-deletes for good', async () => {
    const created = await load('insert', 'Invoice__c', 'Ext__c\nDEL-1\nDEL-2\n');
    const [soft, hard] = created.successfulResults.map((r) => String(r['sf__Id']));
    const deleted = await load('delete', 'Invoice__c', `Id\n${soft}\n`);
    expect(deleted.successfulResults).toEqual([{ sf__Id: soft, sf__Created: 'false', Id: soft }]);
    const hardDeleted = await load('hardDelete', 'Invoice__c', `Id\n${hard}\n`);
    expect(hardDeleted.failedResults).toEqual([]);
    expect(rows("SELECT Ext__c, IsDeleted FROM Invoice__c WHERE Ext__c LIKE 'DEL-%'", true)).toEqual([['DEL-1', true]]);
    expect(rows("SELECT Id FROM Invoice__c WHERE Ext__c LIKE 'DEL-%'")).toEqual([]);
  });

  it('fails only the record whose value does not convert, or that the org rejects', async () => {
    const result = await load('insert', 'Account', 'Name,NumberOfEmployees,Ext_Id__c\nGood,5,G-1\nBad,lots,G-2\n,7,G-3\n');
    expect(result.successfulResults.map((r) => r['Name'])).toEqual(['Good']);
    expect(result.failedResults).toEqual([
      {
        sf__Id: '',
        sf__Error: "INVALID_FIELD:Failed to deserialize field at col 2. Due to, 'lots' is not a valid value for the type xsd:int:NumberOfEmployees --",
        Name: 'Bad',
        NumberOfEmployees: 'lots',
        Ext_Id__c: 'G-2',
      },
      expect.objectContaining({ sf__Id: '', Name: '', NumberOfEmployees: '7', Ext_Id__c: 'G-3' }),
    ]);
    expect(String(result.failedResults[1]?.['sf__Error'])).toMatch(/^REQUIRED_FIELD_MISSING:.*:Name --$/);
  });

  it('fails the whole job on an unknown column, leaving every row unprocessed', async () => {
    const job = fx.conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
    await job.open();
    await job.uploadData('Name,Foo\nA,1\nB,2\n');
    await job.close();
    await expect(job.poll(25, 10_000)).rejects.toThrow('Ingest job failed to complete due to: InvalidBatch : Field name not found : Foo');
    const info = await job.check();
    expect(info).toMatchObject({ state: 'Failed', errorMessage: 'InvalidBatch : Field name not found : Foo', numberRecordsProcessed: 0 });
    const results = await job.getAllResults();
    expect(results.successfulResults).toEqual([]);
    expect(results.unprocessedRecords).toEqual([
      { Name: 'A', Foo: '1' },
      { Name: 'B', Foo: '2' },
    ]);
  });
});

describe('ingest wire protocol', () => {
  async function createJob(body: Record<string, unknown>): Promise<string> {
    const reply = await jobsRequest(fx, 'POST', '/ingest', JSON.stringify(body));
    expect(reply.status).toBe(200);
    return String(json(reply)['id']);
  }

  it('reports every job info field, lists and deletes jobs', async () => {
    const id = await createJob({ object: 'Account', operation: 'insert', lineEnding: 'CRLF', columnDelimiter: 'TAB' });
    expect(id).toMatch(/^750[a-zA-Z0-9]{15}$/);
    const upload = await jobsRequest(fx, 'PUT', `/ingest/${id}/batches`, 'Name\tDescription\r\nTabbed\t"a\tb"\r\n', { contentType: 'text/csv' });
    expect(upload).toMatchObject({ status: 201, text: '' });
    const closed = json(await jobsRequest(fx, 'PATCH', `/ingest/${id}`, JSON.stringify({ state: 'UploadComplete' })));
    expect(closed).toMatchObject({ id, state: 'UploadComplete', object: 'Account', operation: 'insert', contentType: 'CSV' });
    const info = await waitForState(fx, 'ingest', id, ['JobComplete']);
    expect(info).toMatchObject({
      id,
      jobType: 'V2Ingest',
      lineEnding: 'CRLF',
      columnDelimiter: 'TAB',
      apiVersion: 59,
      concurrencyMode: 'Parallel',
      numberRecordsProcessed: 1,
      numberRecordsFailed: 0,
      retries: 0,
      apexProcessingTime: 0,
      contentUrl: `services/data/v59.0/jobs/ingest/${id}/batches`,
    });
    for (const key of ['totalProcessingTime', 'apiActiveProcessingTime', 'createdById', 'createdDate', 'systemModstamp']) expect(info).toHaveProperty(key);
    const success = await jobsRequest(fx, 'GET', `/ingest/${id}/successfulResults/`);
    expect(success.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(success.text).toMatch(/^"sf__Id"\t"sf__Created"\t"Name"\t"Description"\r\n"[a-zA-Z0-9]{18}"\t"true"\t"Tabbed"\t"a\tb"\r\n$/);
    const list = json<{ done: boolean; records: Array<{ id: string }> }>(await jobsRequest(fx, 'GET', '/ingest'));
    expect(list.done).toBe(true);
    expect(list.records.map((r) => r.id)).toContain(id);
    expect((await jobsRequest(fx, 'DELETE', `/ingest/${id}`)).status).toBe(204);
    expect((await jobsRequest(fx, 'GET', `/ingest/${id}`)).status).toBe(404);
  });

  it('keeps a job InProgress for bulkJobDelayMs and refuses results until it finishes', async () => {
    fx.emu.org.controls.bulkJobDelayMs = 300;
    try {
      const id = await createJob({ object: 'Account', operation: 'insert' });
      await jobsRequest(fx, 'PUT', `/ingest/${id}/batches`, 'Name\nSlow\n', { contentType: 'text/csv' });
      await jobsRequest(fx, 'PATCH', `/ingest/${id}`, JSON.stringify({ state: 'UploadComplete' }));
      await waitForState(fx, 'ingest', id, ['InProgress']);
      const early = await jobsRequest(fx, 'GET', `/ingest/${id}/successfulResults`);
      expect(early.status).toBe(409);
      expect(json<Array<{ errorCode: string }>>(early)[0]?.errorCode).toBe('JOB_NOT_COMPLETE');
      await waitForState(fx, 'ingest', id, ['JobComplete']);
    } finally {
      fx.emu.org.controls.bulkJobDelayMs = 0;
    }
  });

  it('lists the rows of an aborted job as unprocessed', async () => {
    const id = await createJob({ object: 'Account', operation: 'insert' });
    await jobsRequest(fx, 'PUT', `/ingest/${id}/batches`, 'Name\nNever\n', { contentType: 'text/csv' });
    const aborted = json(await jobsRequest(fx, 'PATCH', `/ingest/${id}`, JSON.stringify({ state: 'Aborted' })));
    expect(aborted['state']).toBe('Aborted');
    const unprocessed = await jobsRequest(fx, 'GET', `/ingest/${id}/unprocessedrecords/`);
    expect(unprocessed.text).toBe('"Name"\n"Never"\n');
  });

  it('answers bad input with Bulk errors and keeps serving', async () => {
    const expectError = async (reply: Promise<{ status: number; text: string }>, status: number, errorCode: string) => {
      const r = await reply;
      expect(r.status).toBe(status);
      expect(JSON.parse(r.text)[0]).toMatchObject({ errorCode, message: expect.any(String) });
    };
    await expectError(jobsRequest(fx, 'POST', '/ingest', '{"object":'), 400, 'JSON_PARSER_ERROR');
    await expectError(jobsRequest(fx, 'POST', '/ingest', '[1]'), 400, 'JSON_PARSER_ERROR');
    await expectError(jobsRequest(fx, 'POST', '/ingest', JSON.stringify({ object: 'Nope__c', operation: 'insert' })), 400, 'INVALIDENTITY');
    await expectError(jobsRequest(fx, 'POST', '/ingest', JSON.stringify({ object: 'Account', operation: 'merge' })), 400, 'INVALIDJOB');
    await expectError(jobsRequest(fx, 'POST', '/ingest', JSON.stringify({ object: 'Account', operation: 'upsert' })), 400, 'INVALIDJOB');
    await expectError(
      jobsRequest(fx, 'POST', '/ingest', JSON.stringify({ object: 'Account', operation: 'insert', columnDelimiter: 'SPACE' })),
      400,
      'INVALIDJOB',
    );
    await expectError(jobsRequest(fx, 'GET', '/ingest/750000000000000AAA'), 404, 'NOT_FOUND');
    await expectError(jobsRequest(fx, 'GET', '/nothing'), 404, 'NOT_FOUND');
    const id = await createJob({ object: 'Account', operation: 'insert' });
    await jobsRequest(fx, 'PUT', `/ingest/${id}/batches`, 'Name\nOnce\n', { contentType: 'text/csv' });
    await expectError(jobsRequest(fx, 'PUT', `/ingest/${id}/batches`, 'Name\nTwice\n', { contentType: 'text/csv' }), 400, 'BULK_API_ERROR');
    await expectError(jobsRequest(fx, 'PATCH', `/ingest/${id}`, JSON.stringify({ state: 'JobComplete' })), 400, 'INVALIDJOBSTATE');
    await jobsRequest(fx, 'PATCH', `/ingest/${id}`, JSON.stringify({ state: 'UploadComplete' }));
    await expectError(jobsRequest(fx, 'PUT', `/ingest/${id}/batches`, 'Name\nLate\n', { contentType: 'text/csv' }), 409, 'INVALIDJOBSTATE');
    await waitForState(fx, 'ingest', id, ['JobComplete']);
    const broken = await createJob({ object: 'Account', operation: 'insert' });
    await jobsRequest(fx, 'PUT', `/ingest/${broken}/batches`, 'Name\n"unterminated\n', { contentType: 'text/csv' });
    await jobsRequest(fx, 'PATCH', `/ingest/${broken}`, JSON.stringify({ state: 'UploadComplete' }));
    expect(String((await waitForState(fx, 'ingest', broken, ['Failed']))['errorMessage'])).toMatch(/^ClientInputError : /);
    const crlf = await createJob({ object: 'Account', operation: 'insert' });
    await jobsRequest(fx, 'PUT', `/ingest/${crlf}/batches`, 'Name\r\nWrong ending\r\n', { contentType: 'text/csv' });
    await jobsRequest(fx, 'PATCH', `/ingest/${crlf}`, JSON.stringify({ state: 'UploadComplete' }));
    expect((await waitForState(fx, 'ingest', crlf, ['Failed']))['errorMessage']).toBe(
      'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF',
    );
    expect((await jobsRequest(fx, 'GET', '/ingest')).status).toBe(200);
  });
});
