/**
 * How cost grows with work (issue 18, part 5), as three small tables:
 * - engine memory and Postgres connections against the number of mappings
 *   (1, 10, 100 custom objects, read_write, streaming off), each count in a
 *   fresh Postgres and emulator; RSS is this process's (engine and the
 *   in-process emulator) after a GC, before the engine started and once every
 *   mapping is loaded and idle, so the difference is the engine's;
 * - push throughput through Collections against batch size and concurrency,
 *   with the emulator's `real` profile (at latency 0 concurrency buys
 *   nothing on 2 cores);
 * - initial-load time against table size (10k, 100k; 1M with --full),
 *   through initial-load.ts in a child process.
 * The tables go to stdout and, with --out FILE, to a Markdown file.
 *
 *   npm run bench:scale -- [--full] [--out scale-curves.md] [--only mappings|push|load]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CustomObjectConfig } from 'salesforce-emulator';
import { describeMachine } from './bench-machine.js';
import { emitFigures, type Figure } from './figures.js';
import { startInboundBench } from './inbound-setup.js';
import { runPush } from './push-run.js';

const { values } = parseArgs({ options: { full: { type: 'boolean', default: false }, out: { type: 'string' }, only: { type: 'string' } } });
const figures: Figure[] = [];
const sections: string[] = [];
let machine = '';

function table(title: string, header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [`### ${title}`, '', line(header), `|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`, ...rows.map(line)].join('\n');
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

async function mappings(count: number): Promise<string[]> {
  const objects: CustomObjectConfig[] = Array.from({ length: count }, (_, i) => ({ name: `Scale_${i}__c`, fields: [{ name: 'Amount__c', type: 'double' }] }));
  const bench = await startInboundBench({ emulator: { schema: { objects } } });
  try {
    const ids: string[] = [];
    for (const o of objects) ids.push(await bench.map({ sobject: o.name, fields: ['Name', 'Amount__c'], mode: 'read_write', pollInterval: '1 hour' }));
    const before = rss();
    const started = performance.now();
    await bench.startEngine();
    let peak = 0;
    const connections = async () =>
      Number(
        (
          await bench.pool.query<{ n: string }>(
            `select count(*) as n from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and application_name <> 'sfsync bench'`,
          )
        ).rows[0]!.n,
      );
    for (;;) {
      peak = Math.max(peak, await connections());
      const { rows } = await bench.pool.query<{ n: string }>(`select count(*) as n from sfsync.mappings where state <> 'active'`);
      if (rows[0]!.n === '0') break;
      if (performance.now() - started > 300_000) throw new Error(`${rows[0]!.n} of ${count} mappings not active after 300 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const loadedS = (performance.now() - started) / 1000;
    // Let the loads' follow-up polls run, then measure idle.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idle = await connections();
    peak = Math.max(peak, idle);
    const after = rss();
    const client = await bench.pool.connect();
    machine ||= await describeMachine(client);
    client.release();
    figures.push(
      { part: 'scale', name: `engine RSS growth, ${count} mappings`, profile: 'none', value: (after - before) / 2 ** 20, unit: 'MiB', better: 'lower' },
      { part: 'scale', name: `Postgres connections (peak), ${count} mappings`, profile: 'none', value: peak, unit: 'connections', better: 'lower' },
    );
    return [String(count), mib(before), mib(after), mib(after - before), String(idle), String(peak), loadedS.toFixed(1)];
  } finally {
    await bench.stop();
  }
}

async function loadSize(records: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sfsync-scale-'));
  const file = join(dir, 'figures.jsonl');
  writeFileSync(file, '');
  try {
    const script = new URL('initial-load.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--conditions=salesforce-emulator-source', '--import', 'tsx', script, String(records)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, BENCH_FIGURES: file, BENCH_PROFILE: 'none' },
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`initial-load.ts ${records} exited ${code}`);
    const figure = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"part"'))
      .map((l) => JSON.parse(l) as Figure)[0]!;
    figures.push({ ...figure, part: 'scale', name: `initial load, ${figure.name}`, goal: undefined });
    const seconds = (n: number) => (records / n).toFixed(2);
    return [
      records.toLocaleString('en-US'),
      seconds(figure.value),
      seconds(figure.floor!.value),
      `${((100 * figure.value) / figure.floor!.value).toFixed(0)} %`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.only === undefined || values.only === 'mappings') {
  const rows: string[][] = [];
  for (const count of [1, 10, 100]) rows.push(await mappings(count));
  sections.push(
    table(
      'Engine memory and Postgres connections against mappings',
      ['mappings', 'RSS before engine MiB', 'RSS loaded MiB', 'engine MiB', 'PG connections idle', 'PG connections peak', 'all loaded s'],
      rows,
    ),
  );
}
if (values.only === undefined || values.only === 'push') {
  const rows: string[][] = [];
  for (const concurrency of [1, 4, 8]) {
    for (const batchSize of [50, 200]) {
      const run = await runPush({ rows: 10_000, bulkThreshold: 10_000_000, concurrency, batchSize, profile: 'real' });
      machine ||= run.machine;
      figures.push({
        part: 'scale',
        name: `Collections 10,000 rows, concurrency ${concurrency}, batch ${batchSize}`,
        profile: 'real',
        value: run.recordsPerSecond,
        unit: 'records/s',
        better: 'higher',
        floor: { label: 'concurrency × batch size ÷ one Collections round trip', value: run.floorRecordsPerSecond },
      });
      rows.push([
        String(concurrency),
        String(batchSize),
        run.recordsPerSecond.toFixed(0),
        run.floorRecordsPerSecond.toFixed(0),
        `${((100 * run.recordsPerSecond) / run.floorRecordsPerSecond).toFixed(0)} %`,
        String(run.calls),
      ]);
    }
  }
  sections.push(
    table(
      'Push throughput (Collections, 10,000 rows from COMMIT, profile real) against concurrency and batch size',
      ['concurrency', 'batch size', 'records/s', 'ceiling records/s', 'of ceiling', 'API calls'],
      rows,
    ),
  );
}
if (values.only === undefined || values.only === 'load') {
  const rows: string[][] = [];
  for (const records of values.full ? [10_000, 100_000, 1_000_000] : [10_000, 100_000]) rows.push(await loadSize(records));
  sections.push(table('Initial load (latency 0) against table size', ['records', 'sfsync s', 'plain COPY s', 'sfsync rate ÷ COPY rate'], rows));
}
const text = `${sections.join('\n\n')}\n\n${machine}\n`;
console.log(text);
if (values.out !== undefined) writeFileSync(values.out, text);
emitFigures(figures, machine || undefined);
