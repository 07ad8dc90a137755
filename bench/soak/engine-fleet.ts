/**
 * N `sfsync start` processes on one database, each in its own working and data
 * directory, configured only through the environment as an operator would.
 * The `kill` fault SIGKILLs one (no chance to release its jobs or finish a
 * push) and starts it again; their stderr (warn level and up) is kept in
 * `engine-<i>.log` of the run's work directory for post-mortems. An engine
 * that exits by itself is counted as a crash and started again a second
 * later, as a supervisor (systemd, Kubernetes) would. Engine i streams over
 * `transports[i % length]` (CometD or the Pub/Sub API): one engine leads the
 * connection's subscriptions, so a kill hands them to the other transport.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { CleanupStack } from './cleanup.js';
import { EMULATOR_LOGIN } from './salesforce-rest.js';
import type { TransportName } from './options.js';
import { startSfsync, type SfsyncChild } from './sfsync-process.js';

/** The engine's API version; fault rules aim at `/services/data/v59.0`. */
export const ENGINE_API_VERSION = '59.0';

/** The environment every sfsync command of the run gets. */
export function sfsyncEnv(databaseUrl: string, loginUrl: string, dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    SFSYNC_DATA_DIR: dataDir,
    SFSYNC_LOGIN_URL: loginUrl,
    SFSYNC_API_VERSION: ENGINE_API_VERSION,
    SFSYNC_USERNAME: EMULATOR_LOGIN.username,
    SFSYNC_PASSWORD: EMULATOR_LOGIN.password,
    SFSYNC_CLIENT_ID: EMULATOR_LOGIN.clientId,
    SFSYNC_CLIENT_SECRET: EMULATOR_LOGIN.clientSecret,
    SFSYNC_METRICS_PORT: '0',
    SFSYNC_LOG_LEVEL: 'warn',
    // The soak's feed subscriber (feed-reader.ts) checks the change feed against what happened.
    SFSYNC_FEED_ENABLED: 'true',
  };
}

/** The running engines. */
export class EngineFleet {
  private readonly engines: Array<SfsyncChild | undefined> = [];
  /** SIGKILLs so far. */
  kills = 0;
  /** Starts so far (first starts included). */
  starts = 0;
  /** Exits we did not cause: `engine <i> exited <code>`. */
  readonly crashes: string[] = [];
  private stopping = false;

  constructor(
    private readonly workDir: string,
    private readonly databaseUrl: string,
    private readonly loginUrl: string,
    private readonly cleanup: CleanupStack,
    /** Each engine's streaming transport in turn, and the emulator's Pub/Sub API target (host:port). */
    private readonly streaming: { transports: TransportName[]; pubsub: string },
  ) {}

  /** Engine `i`'s streaming transport. */
  transportOf(i: number): TransportName {
    const { transports } = this.streaming;
    return transports[i % transports.length] ?? 'cometd';
  }

  /** The transport of the engine whose OS process id is `pid`, if it is one of ours and running. */
  transportOfPid(pid: number): TransportName | undefined {
    const i = this.engines.findIndex((e) => e?.child.pid === pid);
    return i < 0 ? undefined : this.transportOf(i);
  }

  /** Start `count` engines. */
  async start(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.startOne(i);
    this.cleanup.push('engines', () => this.stopAll());
  }

  /** Number of engines. */
  get size(): number {
    return this.engines.length;
  }

  /** SIGKILL engine `i` and wait until it is gone. */
  async kill(i: number): Promise<void> {
    const engine = this.engines[i];
    if (!engine) return;
    this.engines[i] = undefined;
    await engine.kill();
    this.kills++;
  }

  /** Start engine `i` again (no-op when it runs). */
  async restart(i: number): Promise<void> {
    if (!this.engines[i]) await this.startOne(i);
  }

  /** Make sure every engine runs (after the fault timeline). */
  async ensureAllRunning(): Promise<void> {
    for (let i = 0; i < this.engines.length; i++) {
      const e = this.engines[i];
      if (!e || e.child.exitCode !== null || e.child.signalCode !== null) {
        this.engines[i] = undefined;
        await this.startOne(i);
      }
    }
  }

  /** Path of engine `i`'s log. */
  logFile(i: number): string {
    return path.join(this.workDir, `engine-${i}.log`);
  }

  /** SIGTERM every engine (SIGKILL after a grace period). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.engines.map((e) => e?.stop(10_000)));
    this.engines.fill(undefined);
  }

  private async startOne(i: number): Promise<void> {
    const cwd = path.join(this.workDir, `engine-${i}`);
    await mkdir(cwd, { recursive: true });
    const engine = startSfsync(['start', '--metrics-port', '0'], {
      cwd,
      env: {
        ...sfsyncEnv(this.databaseUrl, this.loginUrl, path.join(cwd, 'data')),
        SFSYNC_STREAMING_TRANSPORT: this.transportOf(i),
        SFSYNC_PUBSUB_URL: `http://${this.streaming.pubsub}`,
      },
      logFile: this.logFile(i),
      cleanup: this.cleanup,
    });
    this.engines[i] = engine;
    this.starts++;
    void engine.exited.then((how) => {
      if (this.engines[i] !== engine || this.stopping) return; // killed or stopped by us
      this.crashes.push(`engine ${i} exited ${how}`);
      this.engines[i] = undefined;
      setTimeout(() => void (this.stopping ? undefined : this.restart(i)), 1_000);
    });
  }
}
