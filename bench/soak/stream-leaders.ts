/**
 * Which transport carried the streaming subscriptions while the workload ran.
 * One engine leads the connection's subscriptions (the stream lock, an
 * advisory lock whose holder's application_name ends with its OS process
 * id); every second the sampler reads who holds it and notes that engine's
 * transport. The summary says how often each transport led and how many
 * times the lead passed from one transport to the other (after a kill, say).
 * A sample that fails (Postgres restarting) is skipped.
 */
import type pg from 'pg';
import { STREAM_LOCK_CLASS } from '../../src/db/locks.js';
import type { EngineFleet } from './engine-fleet.js';
import type { TransportName } from './options.js';

/** What the sampler saw. */
export interface StreamingSummary {
  /** Each engine's transport, by index. */
  engines: TransportName[];
  /** Samples by the transport of the leading engine; `none` while no engine of ours held the lock. */
  ledBy: Record<TransportName | 'none', number>;
  /** Times the lead passed from an engine on one transport to an engine on the other. */
  handovers: number;
}

const LEADER_SQL = `select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
  where l.locktype = 'advisory' and l.granted and l.classid = $1::int::oid and l.database = (select oid from pg_database where datname = current_database())`;

/** A running sampler. */
export class StreamLeaderSampler {
  private readonly ledBy: StreamingSummary['ledBy'] = { cometd: 0, pubsub: 0, none: 0 };
  private handovers = 0;
  private last: TransportName | undefined;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: pg.Pool,
    private readonly fleet: EngineFleet,
  ) {}

  /** Sample every second from now. */
  start(): void {
    this.timer = setInterval(() => void this.sample(), 1_000);
  }

  /** Stop sampling. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** The counts so far. */
  summary(): StreamingSummary {
    return {
      engines: Array.from({ length: this.fleet.size }, (_, i) => this.fleet.transportOf(i)),
      ledBy: { ...this.ledBy },
      handovers: this.handovers,
    };
  }

  private async sample(): Promise<void> {
    let apps: string[];
    try {
      apps = (await this.db.query<{ application_name: string }>(LEADER_SQL, [STREAM_LOCK_CLASS])).rows.map((r) => r.application_name);
    } catch {
      return;
    }
    const pid = Number(/^sfsync engine (\d+)$/.exec(apps[0] ?? '')?.[1]);
    const transport = Number.isInteger(pid) ? this.fleet.transportOfPid(pid) : undefined;
    this.ledBy[transport ?? 'none']++;
    if (transport === undefined) return;
    if (this.last !== undefined && this.last !== transport) this.handovers++;
    this.last = transport;
  }
}

/** `engine 0 cometd, engine 1 pubsub; lead sampled each second: cometd 25, pubsub 30, none 5; 3 handovers between transports` */
export function streamingText(s: StreamingSummary): string {
  const engines = s.engines.map((t, i) => `engine ${i} ${t}`).join(', ');
  const led = Object.entries(s.ledBy)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${engines}; lead sampled each second: ${led}; ${s.handovers} handover(s) between transports`;
}
