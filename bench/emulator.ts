/**
 * Emulator throughput figures (run: `npx tsx bench/emulator.ts [records]`).
 * Prints, never asserts: sObject Collections via jsforce, seeding, a
 * SystemModstamp-windowed query's first page over 1,000,000 records, and Bulk
 * API 2.0 ingest and query. Latency and faults are off.
 */
import os from 'node:os';
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { seedRecords } from '../src/emulator/org/seed.js';

const BIG = Number(process.argv[2] ?? 1_000_000);
const COLLECTION_RECORDS = 20_000;
const BULK_RECORDS = 50_000;

async function connect(emu: RunningEmulator): Promise<Connection> {
  const conn = new jsforce.Connection({
    loginUrl: emu.url, version: '59.0',
    oauth2: { clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', loginUrl: emu.url },
  });
  await conn.login('admin@sfsync.test', 'sfsync');
  return conn;
}

function rate(count: number, ms: number): string {
  return `${Math.round(count / (ms / 1000)).toLocaleString('en-US')} rec/s`;
}

async function benchCollections(conn: Connection): Promise<string> {
  const chunks: Array<Array<{ Name: string }>> = [];
  for (let i = 0; i < COLLECTION_RECORDS; i += 200) {
    chunks.push(Array.from({ length: 200 }, (_, j) => ({ Name: `Bench ${i + j}` })));
  }
  const started = performance.now();
  // Four calls in flight, as the push task runs several writers per connection.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++] ?? [];
      await conn.sobject('Account').create(chunk, { allOrNone: false });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return rate(COLLECTION_RECORDS, performance.now() - started);
}

async function benchBulk(conn: Connection): Promise<{ ingest: string; query: string }> {
  const input = Array.from({ length: BULK_RECORDS }, (_, i) => ({ LastName: `Bulk ${i}`, Email: `b${i}@bench.test` }));
  let started = performance.now();
  await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'insert', input, pollInterval: 100, pollTimeout: 120_000 });
  const ingest = rate(BULK_RECORDS, performance.now() - started);
  started = performance.now();
  const job = await conn.request<{ id: string }>({
    method: 'POST', url: '/services/data/v59.0/jobs/query',
    body: JSON.stringify({ operation: 'query', query: 'SELECT Id, LastName, Email FROM Contact' }),
    headers: { 'Content-Type': 'application/json' },
  });
  for (;;) {
    const info = await conn.request<{ state: string }>(`/services/data/v59.0/jobs/query/${job.id}`);
    if (info.state === 'JobComplete') break;
    if (info.state === 'Failed' || info.state === 'Aborted') throw new Error(`query job ${info.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // jsforce's bulk2.query breaks on a second page (SALESFORCE-API.md §0.7): page by hand.
  let rows = 0;
  let locator = '';
  do {
    const res = await fetch(`${conn.instanceUrl}/services/data/v59.0/jobs/query/${job.id}/results?maxRecords=50000${locator ? `&locator=${locator}` : ''}`, {
      headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, Accept: 'text/csv' },
    });
    rows += Number(res.headers.get('sforce-numberofrecords') ?? 0);
    await res.text();
    locator = res.headers.get('sforce-locator') ?? 'null';
  } while (locator !== 'null');
  return { ingest, query: `${rate(rows, performance.now() - started)} (${rows} rows)` };
}

async function benchWindow(emu: RunningEmulator, conn: Connection): Promise<{ seeding: string; firstPageMs: string; heapMb: number }> {
  const started = performance.now();
  seedRecords(emu.org, 'Account', BIG, { batchSize: 2000 });
  const seeding = rate(BIG, performance.now() - started);
  const rows = emu.org.list('Account');
  const lo = rows[Math.floor(rows.length * 0.1)]?.values.SystemModstamp as string;
  const hi = rows[Math.floor(rows.length * 0.9)]?.values.SystemModstamp as string;
  const literal = (v: string): string => v.replace('.000+0000', 'Z').replace(/\.\d{3}\+0000$/, 'Z');
  const soql = `SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= ${literal(lo)} AND SystemModstamp < ${literal(hi)} ORDER BY SystemModstamp`;
  const timed = async (): Promise<number> => {
    const t = performance.now();
    const page = await conn.query(soql);
    if (page.records.length !== 2000) throw new Error(`expected a 2000-row first page, got ${page.records.length}`);
    return Math.round(performance.now() - t);
  };
  const cold = await timed();
  const warm = await timed();
  return { seeding, firstPageMs: `${cold} ms cold, ${warm} ms warm`, heapMb: Math.round(process.memoryUsage().heapUsed / 1e6) };
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 1e9)} GB, ${os.platform()} ${os.release()}, node ${process.version}`);
  const emu = await startEmulator();
  try {
    const conn = await connect(emu);
    console.log(`sObject Collections create via jsforce (200/call, 4 in flight): ${await benchCollections(conn)}`);
    try {
      const bulk = await benchBulk(conn);
      console.log(`Bulk 2.0 ingest insert ${BULK_RECORDS} via jsforce loadAndWaitForResults: ${bulk.ingest}`);
      console.log(`Bulk 2.0 query, results paged by locator: ${bulk.query}`);
    } catch (error) {
      console.log(`Bulk 2.0: unavailable (${(error as Error).message})`);
    }
    const win = await benchWindow(emu, conn);
    console.log(`seeding ${BIG.toLocaleString('en-US')} Accounts in-process: ${win.seeding} (heap ${win.heapMb} MB)`);
    console.log(`windowed SystemModstamp query over ${BIG.toLocaleString('en-US')} Accounts, first 2000-row page via jsforce (800k rows in window): ${win.firstPageMs}`);
  } finally {
    await emu.stop();
  }
}

await main();
