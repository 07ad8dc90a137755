/**
 * The hostile-input suite: every bad input in cases/ is tried against one
 * world (hostile-world.ts), one after another. Each must be refused with a
 * known exit code (CLI) or SQLSTATE (SQL), on one line that matches the
 * case's pattern (which names the fix), without a stack trace, and leave the
 * database exactly as it was.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliWorld } from '../cli/cli-env.js';
import { allCases } from './cases/index.js';
import type { HostileCase } from './hostile-case.js';
import { createHostileWorld, snapshotWorld } from './hostile-world.js';

let world: CliWorld;
beforeAll(async () => {
  world = await createHostileWorld();
});
afterAll(async () => {
  await world?.close();
});

it('has at least 100 cases, each named once and either a command or a statement', () => {
  expect(allCases.length).toBeGreaterThanOrEqual(100);
  expect(new Set(allCases.map((c) => c.name)).size).toBe(allCases.length);
  for (const c of allCases) expect(Boolean(c.cli) !== Boolean(c.sql), c.name).toBe(true);
});

describe.each(Object.entries(groupByArea(allCases)))('%s', (_area, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const fill = (text: string) => text.replaceAll('{dir}', world.dir);
    const files = Object.entries(c.files ?? {}).map(([name, content]) => [path.join(world.dir, name), fill(content)] as const);
    for (const [file, content] of files) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    try {
      if (c.setupSql) await world.pool.query(c.setupSql);
      const before = await snapshotWorld(world);
      const line = c.cli ? await runCommand(c, fill) : await runStatement(c);
      expect(line, 'one line').not.toContain('\n');
      expect(line).toMatch(c.message);
      expect(await snapshotWorld(world), 'the database is unchanged').toBe(before);
    } finally {
      if (c.undoSql) await world.pool.query(c.undoSql);
      for (const [file] of files) await rm(file, { force: true });
    }
  });
});

/** Run the command; returns its one line of stderr after checking the exit code and the absence of a stack trace. */
async function runCommand(c: HostileCase, fill: (text: string) => string): Promise<string> {
  const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, fill(v)]));
  const result = await world.sfsync(c.cli!.map(fill), env);
  const stderr = result.stderr.trim();
  expect(result.code, `exit code; stderr: ${stderr}; stdout: ${result.stdout.slice(0, 500)}`).toBe(c.exit ?? 1);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr.split('\n'), stderr).toHaveLength(1);
  return stderr;
}

/** Run the statement; it must raise. Returns the error's first line after checking its SQLSTATE. */
async function runStatement(c: HostileCase): Promise<string> {
  const error = await world.pool.query(c.sql!).then(
    () => undefined,
    (e: Error & { code?: string }) => e,
  );
  expect(error, `${c.sql} must raise`).toBeDefined();
  if (c.sqlstate) expect(error!.code, error!.message).toBe(c.sqlstate);
  return error!.message;
}

function groupByArea(cases: Array<HostileCase & { area: string }>): Record<string, HostileCase[]> {
  const out: Record<string, HostileCase[]> = {};
  for (const c of cases) (out[c.area] ??= []).push(c);
  return out;
}
