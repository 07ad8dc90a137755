/**
 * The embedded server runs in a session of its own, so a terminal's Ctrl-C
 * (SIGINT to the foreground process group) reaches sfsync only, which then
 * stops the server last; a data directory that is not a cluster fails in one
 * line that names the fix.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { waitFor } from '../support/wait-for.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => removeDir(d)));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sfsync-embedded-test-'));
  dirs.push(dir);
  return dir;
}

/** Process group and session of a process (fields 5 and 6 of /proc/<pid>/stat). */
async function groupAndSession(pid: number): Promise<{ pgrp: number; session: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(fields[2]), session: Number(fields[3]) };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

describe('startEmbeddedPostgres', () => {
  it('runs the server outside our process group and session, and stop() ends it', async () => {
    const dataDir = path.join(await tempDir(), 'data');
    const server = await startEmbeddedPostgres({ dataDir, persistent: false, unsafeFast: true });
    let pid = 0;
    try {
      pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      const ours = await groupAndSession(process.pid);
      const its = await groupAndSession(pid);
      expect(its.pgrp).not.toBe(ours.pgrp);
      expect(its.session).not.toBe(ours.session);
    } finally {
      await server.stop();
    }
    await waitFor(() => !alive(pid), { timeoutMs: 10_000, what: 'the postmaster to exit' });
  });

  it('fails in one line naming the fix when the directory is not a usable cluster', async () => {
    const dataDir = path.join(await tempDir(), 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'PG_VERSION'), '18\n');
    const error = await startEmbeddedPostgres({ dataDir, persistent: true }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^Embedded Postgres did not start in .*; remove the directory to start over, or set DATABASE_URL/);
    expect(error?.message).not.toContain('\n');
    // The reason pg_ctl or the server gave, not the command line.
    expect(error?.message).not.toContain('Command failed');
  });

  it('names the path and the fix when the data directory cannot be made', async () => {
    const file = path.join(await tempDir(), 'a-file');
    await writeFile(file, 'not a directory\n');
    const dataDir = path.join(file, 'pg');
    const error = await startEmbeddedPostgres({ dataDir }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(
      `Cannot use ${dataDir} as the embedded Postgres's data directory (ENOTDIR); set SFSYNC_DATA_DIR (or --data-dir) to a directory you can create, or set DATABASE_URL to use your own server.`,
    );
  });
});
