import type { Command } from 'commander';
import type pg from 'pg';
import type { FeedEntry } from '../../feed/feed.js';
import { withSession } from '../cli-session.js';
import { parseLimit } from '../global-options.js';
import { action } from '../run-command.js';
import { waitForSignal } from '../wait-for-signal.js';

interface FeedFlags {
  subscriber: string;
  follow?: boolean;
  json?: boolean;
  fromStart?: boolean;
  limit: string;
}

/** With --follow, read again at least this often even when no NOTIFY came (one lost with a dropped connection, say). */
const FOLLOW_POLL_MS = 5_000;

/**
 * `sfsync feed --subscriber X [--follow] [--json]`: print the change feed's
 * entries after the subscriber's cursor, acking each batch once printed (at
 * least once: a batch printed and not acked comes again). The subscriber is
 * created on first use, at the feed's end (or its oldest entry with
 * --from-start). --follow waits for NOTIFY sfsync:feed until SIGINT/SIGTERM.
 */
export function registerFeed(program: Command): void {
  program
    .command('feed')
    .description("print the change feed's entries after a subscriber's cursor, and ack them (--follow: keep tailing)")
    .requiredOption('--subscriber <name>', 'the subscriber whose cursor to read and move (created on first use)')
    .option('--follow', 'keep reading as entries are appended, until interrupted')
    .option('--json', 'print one JSON object per line')
    .option('--from-start', 'a new subscriber starts at the oldest entry kept, not at the end')
    .option('--limit <n>', 'entries per read', '500')
    .action(
      action(async (flags: FeedFlags, command: Command) => {
        const max = parseLimit(flags.limit);
        await withSession(command, ({ pool }) => tail(pool, flags, max));
      }),
    );
}

async function tail(pool: pg.Pool, flags: FeedFlags, max: number): Promise<void> {
  const { ack, read, subscribe, FEED_CHANNEL } = await import('../../feed/feed.js');
  await subscribe(pool, flags.subscriber, flags.fromStart === true);
  let wake: () => void = () => undefined;
  let stopped = false;
  let listener: pg.PoolClient | undefined;
  if (flags.follow) {
    void waitForSignal().then(() => {
      stopped = true;
      wake();
    });
    listener = await pool.connect();
    listener.on('notification', () => wake());
    await listener.query(`listen "${FEED_CHANNEL}"`);
  }
  try {
    while (!stopped) {
      const batch = await read(pool, flags.subscriber, max);
      for (const entry of batch) process.stdout.write(`${flags.json ? JSON.stringify(entry) : formatEntry(entry)}\n`);
      if (batch.length > 0) await ack(pool, flags.subscriber, batch.at(-1)!.position);
      if (batch.length === max) continue;
      if (!flags.follow) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FOLLOW_POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    listener?.release();
  }
}

function formatEntry(e: FeedEntry): string {
  const fields = Object.keys(e.changed).join(',') || '-';
  return `${e.position}\t${e.direction}\t${e.op}\t${e.sobject}\t${e.sfid ?? '-'}\trow ${e.recordId ?? '-'}\t${fields}`;
}
