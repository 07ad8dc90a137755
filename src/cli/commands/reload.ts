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
        const { run, sfsync, sql } = await import('../../db/typed-query.js');
        await withSession(command, async ({ pool }) => {
          // The function first (it raises for an unknown mapping), then the row.
          const { rows: queued } = await pool.query<{ id: string }>('select sfsync.request_reload($1)::text as id', [mapping]);
          const rows = await run(
            pool,
            sfsync
              .selectFrom('mappings as m')
              .select(['m.id', 'm.sobject', sql<Date>`now()`.as('requested_at')])
              .where('m.id', '=', queued[0]!.id),
          );
          const row = rows[0]!;
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
