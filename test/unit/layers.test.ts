/**
 * The layout's rules, checked on the import graph of src/ (static and dynamic
 * relative imports):
 * - a folder imports only folders below it (LAYERS, bottom first; folders on
 *   one line are peers that must not import each other);
 * - no file imports itself through a cycle;
 * - only src/outbox names the table sfsync.outbox.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Bottom first. `.` is src/'s own files (errors.ts, paths.ts: imported by all; index.ts is the public API, checked apart). */
const LAYERS: string[][] = [
  ['.'],
  ['config', 'db'],
  ['salesforce'],
  ['mapping'],
  ['outbox', 'feed'],
  ['adopt'],
  ['jobs'],
  ['inbound', 'outbound'],
  ['tasks'],
  ['engine'],
  ['cli'],
];
/** Folders that stand apart from the layers (none now: the emulator is packages/salesforce-emulator, imported by name). */
const APART = new Set<string>();

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : name.endsWith('.ts') ? [full] : [];
  });
}

const files = walk(SRC).filter((f) => !APART.has(path.relative(SRC, f).split(path.sep)[0]!));
const IMPORT = /(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g;
const edges = new Map<string, string[]>(
  files.map((file) => [file, [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => path.resolve(path.dirname(file), `${m[1]}.ts`))]),
);
const folderOf = (file: string) => {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? '.' : rel[0]!;
};
const levelOf = (folder: string) => LAYERS.findIndex((line) => line.includes(folder));

describe('the layout', () => {
  it('places every folder of src/ on a layer', () => {
    const folders = new Set(files.map(folderOf));
    for (const folder of folders) expect(levelOf(folder) >= 0 || APART.has(folder), `src/${folder} is on no layer`).toBe(true);
  });

  it('has no import from a folder above, or from a peer', () => {
    const wrong: string[] = [];
    for (const [file, targets] of edges) {
      const from = folderOf(file);
      if (file === path.join(SRC, 'index.ts')) continue;
      for (const target of targets) {
        const to = folderOf(target);
        if (to === from || to === '.') continue;
        if (APART.has(from) || APART.has(to) ? from !== 'cli' : levelOf(to) >= levelOf(from)) {
          wrong.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('names sfsync.outbox only in src/outbox', () => {
    const naming = files.filter(
      (f) =>
        folderOf(f) !== 'outbox' &&
        !/db[/\\]database(\.generated)?\.ts$/.test(f) &&
        /sfsync\.outbox\b(?!_)/.test(readFileSync(f, 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '')),
    );
    expect(naming.map((f) => path.relative(SRC, f))).toEqual([]);
  });
});
