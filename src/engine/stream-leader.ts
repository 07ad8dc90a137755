/**
 * One streaming subscriber per Salesforce connection across every sfsync
 * process: the leader holds a session-level Postgres advisory lock on a
 * dedicated connection. If the leader dies (process killed, connection
 * terminated), Postgres releases the lock and another process, retrying every
 * `retryMs`, takes over; a leader whose connection breaks stops leading.
 */
import type pg from 'pg';
import { STREAM_LOCK_CLASS } from '../db/locks.js';
import type { StreamShare } from './stream-share.js';

/** What a leader runs; `lead` resolves to a stop function. */
export interface Leadership {
  lead(): Promise<() => Promise<void>>;
}

/** Run `leadership` whenever this process holds the lock; returns a stop function. */
export function runAsLeader(
  pool: pg.Pool,
  connectionId: string,
  leadership: Leadership,
  options: {
    retryMs: number;
    log(message: string, detail?: unknown): void;
    /** This process's fair share of subscriptions (stream-share.ts); default: no limit. */
    share?: StreamShare;
  },
): () => Promise<void> {
  let stopped = false;
  let wake: (() => void) | undefined;
  let current: Promise<void> = Promise.resolve();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const share = options.share;
  let yielded = false;
  const attempt = async (): Promise<void> => {
    // Over its share, a process leaves this connection to another one (it tries again once it has room).
    if (share && !share.mayTake()) return;
    const client = await pool.connect();
    let lost = false;
    const onError = (error: Error) => {
      lost = true;
      options.log('stream leader connection lost', error.message);
      wake?.();
    };
    client.on('error', onError);
    try {
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2::int) as ok', [STREAM_LOCK_CLASS, connectionId]);
      if (!rows[0]?.ok) {
        options.log('stream leadership held elsewhere', { connectionId });
        return;
      }
      options.log('stream leader elected', { connectionId });
      share?.took(connectionId);
      try {
        const stopLeading = await leadership.lead();
        // Hold the lock; check the connection every retryMs (a terminated backend may not emit an error until used).
        while (!stopped && !lost) {
          await sleep(options.retryMs);
          if (share?.mustYield(connectionId)) {
            options.log('stream leadership handed over (over this process share)', { connectionId });
            yielded = true;
            break;
          }
          if (!stopped && !lost) await client.query('select 1').catch(onError);
        }
        await stopLeading();
      } finally {
        share?.released(connectionId);
        // Never hand a pooled connection back still holding the lock (nobody could lead again).
        if (!lost)
          await client.query('select pg_advisory_unlock($1, $2::int)', [STREAM_LOCK_CLASS, connectionId]).catch(() => {
            lost = true;
          });
      }
    } finally {
      client.off('error', onError);
      client.release(lost ? true : undefined);
    }
  };
  const loop = async () => {
    while (!stopped) {
      await attempt().catch((error: unknown) => options.log('stream leadership attempt failed', error));
      // After handing over, wait a few rounds so another process (with room) takes it first.
      if (!stopped) await sleep(yielded ? options.retryMs * 5 : options.retryMs);
      yielded = false;
    }
  };
  current = loop();
  return async () => {
    stopped = true;
    wake?.();
    await current;
  };
}
