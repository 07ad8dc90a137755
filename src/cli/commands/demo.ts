import type { Command } from 'commander';
import { action } from '../run-command.js';
import type { DemoFlags } from '../demo/run-demo.js';

/** `sfsync demo [--reset] [--data-dir DIR]`: the whole loop on embedded defaults (what `npm start` runs). */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run sfsync on embedded defaults: Postgres under ./.sfsync, the emulator seeded with Accounts and Contacts, both mapped read_write, live status',
    )
    .option('--reset', 'start over: delete the demo database first')
    .option('--emulator-port <port>', 'port of the in-process emulator (default: a free one)', '0')
    .option('--status-interval <seconds>', 'refresh of the status view', '2')
    .action(action(async (flags: DemoFlags, command: Command) => (await import('../demo/run-demo.js')).runDemo(flags, command)));
}
