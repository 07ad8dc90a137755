/**
 * Initial load (issue 5, benchmark a): N records (default 1,000,000; emulator
 * latency off) loaded by sfsync — Bulk 2.0 query paged by locator, CSV parsed,
 * converted and COPY'd in one transaction — side by side with:
 *  - a plain COPY (FORMAT csv) of the very same result CSV pages into the same
 *    table (the floor: no fetch, no conversion), and
 *  - the alternative writer: the same converted rows as multi-row INSERT …
 *    SELECT FROM jsonb_to_recordset in 5,000-row batches.
 * Target: sfsync ≥ 60 % of plain COPY at latency 0 (the floor). With
 * BENCH_PROFILE=real the Bulk query job takes seconds, so the load is also
 * set beside fetching alone: the same pages pulled through sfsync's client
 * with nothing done to them (a pipelined load cannot beat the slower of
 * fetch and COPY).
 *
 * sfsync's load and the plain COPY alternate over BENCH_ROUNDS rounds
 * (default 3), each into the emptied table, and the figures are medians.
 *
 *   npm run bench:initial-load -- [records=1000000]
 */
import { escapeIdentifier as q } from 'pg';
import { loadInboundMapping } from '../src/inbound/inbound-mapping.js';
import { loadTable } from '../src/inbound/load-table.js';
import { copyFrom } from '../src/inbound/copy-in.js';
import { toInboundRow } from '../src/inbound/record.js';
import { qualified, recordset } from '../src/inbound/apply-sql.js';
import { selectFields, windowSoql } from '../src/inbound/window-bounds.js';
import os from 'node:os';
import { describeMachine } from './bench-machine.js';
import { startInboundBench } from './inbound-setup.js';
import { latencyProfile } from 'salesforce-emulator';
import { benchProfile, emitFigures, percentileOf } from './figures.js';

const N = Number(process.argv[2] ?? 1_000_000);
/** sfsync loads and plain COPYs, alternating. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FIELDS = ['Name', 'Industry', 'AnnualRevenue', 'NumberOfEmployees', 'BillingCity', 'Phone'];

// The emulator runs in its own process: Salesforce's work (running the job,
// writing CSV) must not be billed to sfsync's thread.
const profile = benchProfile();
const bench = await startInboundBench({ separateEmulator: true });
try {
  await bench.emulator.setControls(latencyProfile(profile) as Record<string, unknown>);
  const seeding = performance.now();
  await bench.emulator.seed('Account', N);
  console.error(`seeded ${N} Accounts in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  const mappingId = await bench.map({ sobject: 'Account', fields: FIELDS });
  const mapping = await loadInboundMapping(bench.pool, mappingId);
  const table = qualified(mapping);

  const columns = ['sfid', 'systemmodstamp', 'isdeleted', 'createddate', ...mapping.fields.map((f) => f.column)];
  const db = await bench.pool.connect();

  // 1. sfsync's initial load, end to end from the Bulk API, into the empty table of a mapping with no watermark.
  const sfsyncLoad = async () => {
    await db.query(`truncate ${table}`);
    await db.query(`update sfsync.mappings set watermark = null, state = 'new' where id = $1`, [mappingId]);
    const emulatorCpu = bench.emulator.cpuSeconds?.() ?? 0;
    const ownCpu = process.cpuUsage();
    const started = performance.now();
    const loaded = await loadTable(
      bench.pool,
      bench.sf,
      { ...mapping, watermark: null },
      {
        upperLagMs: 0,
        ...(process.env.MAX_RECORDS ? { maxRecords: Number(process.env.MAX_RECORDS) } : {}),
      },
    );
    const ms = performance.now() - started;
    if (loaded.seen !== N) throw new Error(`loaded ${loaded.seen} of ${N}`);
    const own = process.cpuUsage(ownCpu);
    return { ms, apiCalls: loaded.apiCalls, sfsyncCpuS: (own.user + own.system) / 1e6, emulatorCpuS: (bench.emulator.cpuSeconds?.() ?? 0) - emulatorCpu };
  };

  // The same CSV pages, fetched once, for the baselines.
  const soql = windowSoql({ sobject: mapping.sobject, fields: selectFields(mapping.fields) });
  const pages: Array<Array<Record<string, string>>> = [];
  let t = performance.now();
  for await (const page of bench.sf.bulkQueryPages(soql, { includeDeleted: true })) pages.push(page);
  const fetchMs = performance.now() - t;
  const csvPages = pages.map((page) =>
    Buffer.from(
      [
        '"Id","SystemModstamp","IsDeleted","CreatedDate",' + FIELDS.map((f) => `"${f}"`).join(','),
        ...page.map((r) => ['Id', 'SystemModstamp', 'IsDeleted', 'CreatedDate', ...FIELDS].map((c) => `"${(r[c] ?? '').replace(/"/g, '""')}"`).join(',')),
      ].join('\n') + '\n',
    ),
  );

  // 2. plain COPY of the CSV into the same (emptied) table.
  const plainCopy = async () => {
    await db.query(`truncate ${table}`);
    const started = performance.now();
    await db.query('begin');
    for (const chunk of csvPages) {
      await copyFrom(db, `copy ${table} (${columns.map(q).join(', ')}) from stdin with (format csv, header true, force_null (${columns.map(q).join(', ')}))`, [
        chunk,
      ]);
    }
    await db.query('commit');
    return performance.now() - started;
  };

  // 3. the alternative writer: converted rows through jsonb_to_recordset, 5,000 per statement (once: it is far behind).
  await db.query(`truncate ${table}`);
  t = performance.now();
  await db.query('begin');
  const insert = `insert into ${table} (sfid, systemmodstamp, isdeleted, createddate, ${mapping.fields.map((f) => q(f.column)).join(', ')}) select r.sfid, r.systemmodstamp::timestamp(3), r.isdeleted, r.createddate::timestamp(3), ${mapping.fields.map((f) => `r.${q(f.column)}::${f.pgType}`).join(', ')} from ${recordset(mapping)}`;
  for (const page of pages) {
    for (let i = 0; i < page.length; i += 5000) {
      const rows = page.slice(i, i + 5000).map((r) => {
        const row = toInboundRow(r, mapping.fields, 'bulk');
        return { ...row.values, sfid: row.sfid, systemmodstamp: row.systemmodstamp, isdeleted: row.isdeleted, createddate: row.createddate };
      });
      await db.query(insert, [JSON.stringify(rows)]);
    }
  }
  await db.query('commit');
  const jsonMs = performance.now() - t;
  // The parsed pages are dropped before the measured rounds: kept, they would swell the heap each garbage collection walks.
  pages.length = 0;

  // This machine's speed drifts by tens of percent within minutes: sfsync and COPY alternate, round after round,
  // and the figures are medians (the ratio: the median of each round's own ratio).
  const loads: Array<Awaited<ReturnType<typeof sfsyncLoad>>> = [];
  const copies: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const first = round % 2 === 0;
    if (first) copies.push(await plainCopy());
    loads.push(await sfsyncLoad());
    if (!first) copies.push(await plainCopy());
  }
  const median = (values: number[]) => percentileOf(values, 50);
  const sfsyncMs = median(loads.map((l) => l.ms));
  const copyMs = median(copies);
  const ratio = median(loads.map((l, i) => copies[i]! / l.ms));
  const loaded = { apiCalls: loads[0]!.apiCalls };
  const sfsyncCpuS = median(loads.map((l) => l.sfsyncCpuS));
  const emulatorCpuS = median(loads.map((l) => l.emulatorCpuS));

  db.release();

  const rate = (ms: number) => Math.round(N / (ms / 1000));
  console.log(
    `initial load, ${N.toLocaleString('en')} Accounts × ${FIELDS.length} fields (+ Id, SystemModstamp, IsDeleted, CreatedDate), emulator profile ${profile}\n`,
  );
  console.log('                                              seconds      rows/s    vs COPY');
  const line = (label: string, ms: number) =>
    console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(8)}  ${String(rate(ms)).padStart(10)}   ${(copyMs / ms).toFixed(2).padStart(6)}×`);
  line('sfsync initial load (Bulk API → COPY)', sfsyncMs);
  line('plain COPY of the same CSV (no fetch)', copyMs);
  line('jsonb_to_recordset INSERT of converted rows', jsonMs);
  line('fetch alone (the same Bulk query, pages kept)', fetchMs);
  console.log(
    `\nsfsync / plain COPY: ${(ratio * 100).toFixed(0)} % (median of ${ROUNDS} alternating rounds: ${loads.map((l, i) => `${((copies[i]! / l.ms) * 100).toFixed(0)} %`).join(', ')}; target ≥ 60 % at latency 0); API calls for the load: ${loaded.apiCalls}`,
  );
  console.log(
    `CPU during sfsync's load: sfsync ${sfsyncCpuS.toFixed(1)} s, emulator (playing Salesforce, same ${os.cpus().length} cores) ${emulatorCpuS.toFixed(1)} s, over ${(sfsyncMs / 1000).toFixed(1)} s wall\n`,
  );
  const client = await bench.pool.connect();
  const machine = await describeMachine(client);
  client.release();
  console.log(machine);
  const name = `${N.toLocaleString('en-US')} records`;
  emitFigures(
    [
      {
        part: 'initial-load',
        name: `${name}, vs plain COPY`,
        profile,
        value: rate(sfsyncMs),
        unit: 'rows/s',
        better: 'higher',
        baseline: { label: 'multi-row INSERT from jsonb_to_recordset of the converted rows', value: rate(jsonMs) },
        floor: { label: 'plain COPY (csv) of the same result pages', value: rate(copyMs) },
        ...(profile === 'none' ? { goal: { atLeast: 0.6 } } : {}),
      },
      ...(profile === 'none'
        ? []
        : [
            {
              part: 'initial-load',
              name: `${name}, vs fetch alone`,
              profile,
              value: rate(sfsyncMs),
              unit: 'rows/s',
              better: 'higher' as const,
              floor: { label: 'the same Bulk query fetched through sfsync’s client, nothing done with the rows', value: rate(fetchMs) },
            },
          ]),
    ],
    machine,
  );
} finally {
  await bench.stop();
}
