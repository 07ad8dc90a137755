import type { Command } from 'commander';
import { SfsyncError } from '../../errors.js';
import { withSession } from '../cli-session.js';
import { listFailed, settleFailed, type FailedChange, type FailedSelector } from '../../engine/failed-changes.js';
import { parseLimit } from '../global-options.js';
import { formatTable, formatTime, printJson } from '../output.js';
import { action } from '../run-command.js';

interface ListFlags {
  mapping?: string;
  limit: string;
  json?: boolean;
}

interface SettleFlags {
  id?: string[];
  mapping?: string;
  all?: boolean;
  json?: boolean;
}

/** `sfsync errors [--mapping X]`, `sfsync errors retry|discard (--id N … | --mapping X | --all)`. */
export function registerErrors(program: Command): void {
  const errors = program
    .command('errors')
    .description("failed changes with Salesforce's error; `errors retry` / `errors discard` settle them")
    .option('--mapping <mapping>', 'only this mapping (object, id or schema.table)')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print them as JSON')
    .action(
      action(async (flags: ListFlags, command: Command) => {
        const limit = parseLimit(flags.limit);
        const rows = await withSession(command, ({ pool }) => listFailed(pool, flags.mapping, limit));
        if (flags.json) printJson({ failed: rows });
        else console.log(formatFailed(rows));
      }),
    );
  for (const verb of ['retry', 'discard'] as const) {
    errors
      .command(verb)
      .description(
        verb === 'retry' ? 'send failed changes again (after fixing the data or the org)' : 'give up on failed changes (they stay in the outbox as ignored)',
      )
      .option('--id <id...>', 'outbox ids (from `sfsync errors`)')
      .option('--mapping <mapping>', 'every failed change of this mapping')
      .option('--all', 'every failed change')
      .option('--json', 'print the count as JSON')
      .action(
        action(async (_flags: SettleFlags, command: Command) => {
          // `--mapping` and `--json` are also options of `errors` itself, and
          // commander gives them to the parent: read both levels.
          const flags = command.optsWithGlobals<SettleFlags>();
          const selector = selectorFrom(flags, verb);
          const count = await withSession(command, ({ pool }) => settleFailed(pool, verb, selector));
          if (flags.json) console.log(JSON.stringify({ [verb === 'retry' ? 'retried' : 'discarded']: count }));
          else console.log(`${verb === 'retry' ? 'queued again' : 'discarded'} ${count} failed change(s)`);
        }),
      );
  }
}

function selectorFrom(flags: SettleFlags, verb: string): FailedSelector {
  const given = [flags.id !== undefined, flags.mapping !== undefined, Boolean(flags.all)].filter(Boolean).length;
  if (given !== 1) throw new SfsyncError('USAGE', `Say which failed changes to ${verb}: --id N [N …], --mapping <mapping> or --all (exactly one).`);
  if (flags.id) {
    const ids = flags.id.map(Number);
    if (ids.some((n) => !Number.isSafeInteger(n) || n <= 0))
      throw new SfsyncError('USAGE', `--id takes outbox ids (positive whole numbers), not "${flags.id.join(' ')}".`);
    return { ids };
  }
  return flags.mapping ? { mapping: flags.mapping } : { all: true };
}

function formatFailed(rows: FailedChange[]): string {
  return formatTable(
    rows,
    [
      { header: 'id', value: (r) => String(r.id), right: true },
      { header: 'connection', value: (r) => r.connection },
      { header: 'object', value: (r) => r.sobject },
      { header: 'row', value: (r) => String(r.recordId), right: true },
      { header: 'sfid', value: (r) => r.sfid ?? '-' },
      { header: 'op', value: (r) => r.op },
      { header: 'failed at', value: (r) => formatTime(r.failedAt) },
      { header: 'error', value: (r) => `${r.errorCode ?? ''}: ${r.errorMessage ?? ''}` },
    ],
    'No failed changes.',
  );
}
