/**
 * `npm run bench`: the benchmark suite, or parts of it by name, in one table
 * (bench-table.ts): each figure beside its baseline and its physical floor as
 * ratios, the goal on the floor ratio, and the machine. Each part runs in its
 * own process (its own Postgres and emulator), once at latency 0 and once with
 * the emulator's `real` timing profile, the two back to back so both see the
 * same machine. Sizes are cut so each part takes a few minutes on 2 cores;
 * the parts' own scripts (`npm run bench:<part>`) take bigger ones.
 *
 *   npm run bench -- [part …] [--profile none|real|both] [--json out.json] [--compare old.json]
 *   (with --json, the scale part writes its tables to scale-curves.md beside it)
 *   parts: push-latency stream-latency push-throughput initial-load capture scale
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LatencyProfileName } from 'salesforce-emulator';
import { formatTable, type SuiteRun } from './bench-table.js';
import type { Figure } from './figures.js';

/** A part: its script and arguments per profile (absent: the part does not depend on Salesforce's speed and runs once). */
interface Part {
  script: string;
  args: Partial<Record<LatencyProfileName, string[]>>;
}

const PARTS: Record<string, Part> = {
  'push-latency': { script: 'push-latency.ts', args: { none: ['200'], real: ['60'] } },
  'stream-latency': { script: 'stream-latency.ts', args: { none: ['100'], real: ['40'] } },
  'push-throughput': { script: 'push-throughput.ts', args: { none: ['20000'], real: ['20000'] } },
  'initial-load': { script: 'initial-load.ts', args: { none: ['100000'], real: ['100000'] } },
  capture: { script: 'capture.ts', args: { none: ['40', '16'] } },
  scale: { script: 'scale.ts', args: { none: [] } },
};

function usage(message: string): never {
  console.error(
    `bench: ${message}\nUsage: npm run bench -- [part …] [--profile none|real|both] [--json out.json] [--compare old.json]; parts: ${Object.keys(PARTS).join(', ')}.`,
  );
  process.exit(2);
}

/** Run one part under one profile; resolves with what it emitted. */
function runPart(name: string, part: Part, profile: LatencyProfileName, args: string[]): Promise<{ figures: Figure[]; machine?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sfsync-bench-'));
  const file = join(dir, 'figures.jsonl');
  writeFileSync(file, '');
  const script = new URL(part.script, import.meta.url).pathname;
  console.error(`\n=== ${name} (profile ${profile}) ===`);
  const child = spawn(process.execPath, ['--expose-gc', '--conditions=salesforce-emulator-source', '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, BENCH_FIGURES: file, BENCH_PROFILE: profile },
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`bench part ${name} (profile ${profile}) exited ${code}; its output is above.`);
        const lines = readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l !== '');
        const parsed = lines.map((l) => JSON.parse(l) as Figure | { machine: string });
        resolve({
          figures: parsed.filter((p): p is Figure => 'part' in p),
          machine: parsed.find((p): p is { machine: string } => 'machine' in p)?.machine,
        });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: { profile: { type: 'string', default: 'both' }, json: { type: 'string' }, compare: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  const unknown = positionals.filter((p) => !(p in PARTS));
  if (unknown.length > 0) usage(`unknown part ${unknown.join(', ')}`);
  if (!['none', 'real', 'both'].includes(values.profile)) usage(`--profile must be none, real or both, not "${values.profile}"`);
  const profiles: LatencyProfileName[] = values.profile === 'both' ? ['none', 'real'] : [values.profile as LatencyProfileName];
  let old: Figure[] | undefined;
  if (values.compare !== undefined) {
    try {
      old = (JSON.parse(readFileSync(values.compare, 'utf8')) as SuiteRun).figures;
    } catch (error) {
      usage(`cannot read --compare ${values.compare} (${(error as Error).message}); give a file written by --json`);
    }
  }
  const run: SuiteRun = {
    startedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: '',
    figures: [],
  };
  for (const name of positionals.length > 0 ? positionals : Object.keys(PARTS)) {
    const part = PARTS[name]!;
    for (const profile of profiles) {
      let args = part.args[profile];
      if (args === undefined) continue;
      // The scale part's tables go next to the JSON.
      if (name === 'scale' && values.json !== undefined) args = [...args, '--out', join(dirname(values.json), 'scale-curves.md')];
      const result = await runPart(name, part, profile, args);
      run.figures.push(...result.figures);
      run.machine ||= result.machine ?? '';
    }
  }
  console.log(`\n${formatTable(run, old)}`);
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify(run, null, 2)}\n`);
    console.log(`\nfigures written to ${values.json}`);
  }
}

await main();
