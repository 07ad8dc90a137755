import type { Command } from 'commander';
import { withSession } from '../cli-session.js';
import { printJson } from '../output.js';
import { action } from '../run-command.js';
import { formatStatus, readStatus } from '../status-report.js';

/** `sfsync status [--json]`: per mapping state, last poll, lag, pending and failed changes, API usage. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per mapping: state, last poll, lag, pending and failed changes; API usage today against the limit')
    .option('--json', 'print the report as JSON')
    .action(
      action(async (options: { json?: boolean }, command: Command) => {
        const report = await withSession(command, ({ pool }) => readStatus(pool));
        if (options.json) printJson(report);
        else console.log(formatStatus(report));
      }),
    );
}
