import type { Command } from 'commander';
import { configFor } from '../global-options.js';
import { action } from '../run-command.js';

/** `sfsync migrate`: apply sfsync's and graphile-worker's migrations. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('install or upgrade the sfsync schema (DATABASE_URL, or the embedded Postgres under ./.sfsync)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (options: { json?: boolean }, command: Command) => {
        const { migrate } = await import('../../db/migrate.js');
        const { openCliPostgres } = await import('../cli-postgres.js');
        const server = await openCliPostgres(await configFor(command));
        try {
          const { applied } = await migrate(server.url);
          if (options.json) console.log(JSON.stringify({ applied }));
          else console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'schema is up to date');
        } finally {
          await server.stop();
        }
      }),
    );
}
