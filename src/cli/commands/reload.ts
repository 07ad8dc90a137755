import type { Command } from 'commander';
import { SfsyncError } from '../../errors.js';
import { withSession } from '../cli-session.js';
import { action } from '../run-command.js';

/** The longest --timeout: a week. */
const MAX_TIMEOUT_S = 7 * 24 * 3600;

/** `--timeout` in seconds: a positive number up to a week; "abc" used to become NaN, a wait that never timed out. */
export function parseTimeout(value: string): number {
  const seconds = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_S)) {
    throw new SfsyncError('USAGE', `--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_S} (a week), not "${value}".`);
  }
  return seconds;
}

interface ReloadOptions {
  wait?: boolean;
  timeout: string;
  json?: boolean;
}

/** `sfsync reload <mapping> [--wait]`: queue a full reload (`sfsync.request_reload`), optionally following its progress. */
export function registerReload(program: Command): void {
  program
    .command('reload <mapping>')
    .description('queue a full reload of a mapping (object, id or schema.table) through Bulk API 2.0; a running `sfsync start` does it')
    .option('--wait', 'follow the reload with a progress bar until it finishes (needs a running engine)')
    .option('--timeout <seconds>', 'with --wait: give up after this long', '600')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (mapping: string, options: ReloadOptions, command: Command) => {
        // Checked before anything is queued.
        const timeoutS = parseTimeout(options.timeout);
        const { run, sfsync } = await import('../../db/typed-query.js');
        await withSession(command, async ({ pool }) => {
          // The time is taken in the statement that queues the job (now() is its transaction's start): a
          // second statement after it lost the race to an engine that started the reload at once, and
          // --wait then watched for a reload that had already begun, until its timeout.
          const { rows: queued } = await pool.query<{ id: string; requested_at: Date }>('select sfsync.request_reload($1)::text as id, now() as requested_at', [
            mapping,
          ]);
          const [named] = await run(pool, sfsync.selectFrom('mappings').select('sobject').where('id', '=', queued[0]!.id));
          const row = { id: queued[0]!.id, sobject: named!.sobject, requested_at: queued[0]!.requested_at };
          if (!options.wait) {
            if (options.json) console.log(JSON.stringify({ mappingId: Number(row.id), sobject: row.sobject, queued: true }));
            else console.log(`queued a reload of ${row.sobject} (mapping ${row.id}); a running \`sfsync start\` picks it up — watch it with \`sfsync status\``);
            return;
          }
          const { followReload } = await import('../reload-progress.js'); // cli-progress: only with --wait
          const result = await followReload(pool, row.id, row.requested_at, { timeoutMs: timeoutS * 1000, quiet: Boolean(options.json) });
          if (options.json) console.log(JSON.stringify({ mappingId: Number(row.id), sobject: row.sobject, ...result }));
          else console.log(`reloaded ${row.sobject}: ${result.records} record(s) in ${(result.ms / 1000).toFixed(1)} s`);
        });
      }),
    );
}
