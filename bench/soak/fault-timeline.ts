/**
 * The faults, placed on the workload's timeline as fractions of its length
 * (so a 60 s and a 150 s run see the same story), with a little seeded
 * jitter. Emulator faults go through its control API, narrowed to the
 * engine's `/services/data/v59.0` traffic; session expiry and dropped
 * streaming clients hit everyone, as they would in a real org. The Postgres
 * restart and the engine kills are real (pg_ctl stop/start, SIGKILL).
 * `stop()` ends the timeline and clears every fault.
 */
import { ENGINE_API_VERSION, type EngineFleet } from './engine-fleet.js';
import type { EmulatorControl, FaultRule } from './emulator-control.js';
import type { FaultName } from './options.js';
import type { SoakPostgres } from './postgres-server.js';
import type { Rng } from './prng.js';

/** Only the engine's calls get injected faults and lost replies. */
const ENGINE_PREFIX = `/services/data/v${ENGINE_API_VERSION}`;

/** What the timeline needs. */
export interface TimelineDeps {
  faults: FaultName[];
  seconds: number;
  rng: Rng;
  control: EmulatorControl;
  fleet: EngineFleet;
  postgres: SoakPostgres;
  log: (line: string) => void;
}

interface Step {
  at: number;
  fault: FaultName;
  what: string;
  run: () => Promise<void>;
}

/** A running fault timeline. */
export class FaultTimeline {
  /** How many times each fault fired (windows opened, one-shots, kills). */
  readonly fired = new Map<FaultName, number>();
  private readonly rules = new Map<FaultName, FaultRule>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly wakers = new Set<() => void>();
  private stopped = false;
  private startedAt = 0;

  constructor(private readonly deps: TimelineDeps) {}

  /** Schedule every step and the kill loop, from now. */
  start(): void {
    this.startedAt = Date.now();
    for (const step of this.plan()) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.track(this.runStep(step));
      }, step.at * 1000);
      this.timers.add(timer);
    }
    if (this.deps.faults.includes('kill')) this.track(this.killLoop());
  }

  /** Cancel what has not fired, wait for what is running (a restart), clear every emulator fault. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const wake of [...this.wakers]) wake();
    await Promise.allSettled([...this.running]);
    this.rules.clear();
    await this.deps.control.setControls({ faults: [], dropEventRate: 0, commitDelayMs: 0, lostResponses: { rate: 0, next: 0 } });
  }

  /** Faults fired, e.g. `5xx×1 kill×6`. */
  summary(): string {
    return [...this.fired].map(([k, v]) => `${k}×${v}`).join(' ') || 'none';
  }

  private plan(): Step[] {
    const { seconds: d, rng, control, postgres, faults } = this.deps;
    const at = (fraction: number) => Math.max(1, d * (fraction + (rng.next() - 0.5) * 0.04));
    const windowOf = (fraction: number) => ({ on: at(fraction), len: Math.min(15, d * 0.25) });
    const steps: Step[] = [];
    const window = (fault: FaultName, from: number, to: number, on: () => Promise<void>, off: () => Promise<void>) => {
      steps.push({ at: at(from), fault, what: 'on', run: on }, { at: at(to), fault, what: 'off', run: off });
    };
    const rule = (fault: FaultName, r: FaultRule | undefined) => () => this.setRule(fault, r);
    window('5xx', 0.1, 0.45, rule('5xx', { kind: '5xx', rate: 0.05, pathPrefix: ENGINE_PREFIX }), rule('5xx', undefined));
    window('lock', 0.3, 0.65, rule('lock', { kind: 'UNABLE_TO_LOCK_ROW', rate: 0.02, pathPrefix: ENGINE_PREFIX }), rule('lock', undefined));
    window(
      'drop-events',
      0.05,
      0.9,
      () => control.setControls({ dropEventRate: 0.1 }),
      () => control.setControls({ dropEventRate: 0 }),
    );
    window(
      'lost-replies',
      0.15,
      0.85,
      () => control.setControls({ lostResponses: { rate: 0.01, pathPrefix: ENGINE_PREFIX } }),
      () => control.setControls({ lostResponses: { rate: 0, next: 0 } }),
    );
    const late = windowOf(0.45);
    steps.push({ at: late.on, fault: 'late-commits', what: 'on (commitDelayMs 1500)', run: () => control.setControls({ commitDelayMs: 1500 }) });
    steps.push({ at: late.on + late.len, fault: 'late-commits', what: 'off', run: () => control.setControls({ commitDelayMs: 0 }) });
    const limit = windowOf(0.6);
    steps.push({
      at: limit.on,
      fault: 'api-limit',
      what: 'on (every engine call REQUEST_LIMIT_EXCEEDED)',
      run: rule('api-limit', { kind: 'REQUEST_LIMIT_EXCEEDED', rate: 1, pathPrefix: ENGINE_PREFIX }),
    });
    steps.push({ at: limit.on + limit.len, fault: 'api-limit', what: 'off', run: rule('api-limit', undefined) });
    steps.push({ at: at(0.35), fault: 'session-expiry', what: 'every session expired', run: () => control.expireSessions() });
    steps.push({
      at: at(0.2),
      fault: 'stream-drop',
      what: 'streaming clients dropped (CometD clients and Pub/Sub streams)',
      run: async () => void (await Promise.all([control.dropStreamingClients(), control.dropPubSubStreams()])),
    });
    if (postgres.canRestart) steps.push({ at: at(0.75), fault: 'pg-restart', what: 'Postgres restarting', run: () => this.restartPostgres(postgres) });
    else if (faults.includes('pg-restart')) this.note('pg-restart skipped: DATABASE_URL is an external server the soak does not restart');
    return steps.filter((s) => faults.includes(s.fault));
  }

  private async runStep(step: Step): Promise<void> {
    if (this.stopped) return;
    if (step.what !== 'off') this.fired.set(step.fault, (this.fired.get(step.fault) ?? 0) + 1);
    this.note(`${step.fault} ${step.what}`);
    try {
      await step.run();
    } catch (error) {
      this.note(`${step.fault} ${step.what} FAILED: ${(error as Error).message}`);
    }
  }

  private async restartPostgres(postgres: SoakPostgres): Promise<void> {
    const t0 = Date.now();
    await postgres.restart();
    this.note(`pg-restart done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  private async setRule(fault: FaultName, rule: FaultRule | undefined): Promise<void> {
    if (rule) this.rules.set(fault, rule);
    else this.rules.delete(fault);
    // api-limit first: while it is on, every engine call is refused.
    const ordered = [...this.rules].sort(([a], [b]) => Number(b === 'api-limit') - Number(a === 'api-limit')).map(([, r]) => r);
    await this.deps.control.setControls({ faults: ordered });
  }

  /** SIGKILL one engine every 6–12 s, start it again 0.3–1.5 s later. */
  private async killLoop(): Promise<void> {
    const { rng, fleet } = this.deps;
    while (!this.stopped) {
      await this.sleep(rng.int(6_000, 12_000));
      if (this.stopped) break;
      const i = rng.int(0, fleet.size - 1);
      this.fired.set('kill', (this.fired.get('kill') ?? 0) + 1);
      this.note(`kill engine ${i} (SIGKILL)`);
      await fleet.kill(i);
      await this.sleep(rng.int(300, 1_500));
      await fleet.restart(i);
    }
  }

  /** A pause that ends early when the timeline stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private note(message: string): void {
    // Wall-clock time too, to line faults up with SystemModstamps and outbox times.
    this.deps.log(`[soak ${((Date.now() - this.startedAt) / 1000).toFixed(1)}s ${new Date().toISOString().slice(11, 23)}] fault: ${message}`);
  }
}
