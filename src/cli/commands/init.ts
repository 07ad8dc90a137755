import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SfsyncError } from '../../errors.js';
import { configFor, globalFlags } from '../global-options.js';
import { action } from '../run-command.js';

interface InitOptions {
  json?: boolean;
  force?: boolean;
  loginUrl?: string;
  migrate?: boolean;
}

/** `sfsync init`: write a config file with every default spelled out (no secrets), then migrate. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write sfsync.config.json with the defaults (never secrets) and install the schema')
    .option('--login-url <url>', 'Salesforce login URL to put in the file')
    .option('--force', 'overwrite an existing config file')
    .option('--no-migrate', 'only write the file')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (options: InitOptions, command: Command) => {
        // Loaded here: zod costs every other command's startup ~250 ms (global-options.ts).
        const { DEFAULT_CONFIG_FILE, validateConfig } = await import('../../config/load-config.js');
        const file = path.resolve(globalFlags(command).config ?? DEFAULT_CONFIG_FILE);
        const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
        if (previous !== undefined && !options.force) {
          throw new SfsyncError('CONFIG_EXISTS', `${file} already exists; edit it, or pass --force to overwrite it with the defaults.`);
        }
        if (options.loginUrl === '') throw new SfsyncError('USAGE', '--login-url must not be empty; leave it out for https://login.salesforce.com.');
        // One line (CONFIG_INVALID) for a bad --login-url, not zod's dump and exit 2.
        const defaults = validateConfig(options.loginUrl ? { salesforce: { loginUrl: options.loginUrl } } : {}, '--login-url');
        try {
          writeFileSync(file, `${JSON.stringify(defaults, null, 2)}\n`, { mode: 0o644 });
        } catch (cause) {
          throw new SfsyncError(
            'CONFIG_UNWRITABLE',
            `Cannot write ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); check that its directory exists and is writable, or pass another --config.`,
            { cause },
          );
        }
        let applied: string[] = [];
        try {
          if (options.migrate !== false) {
            const { migrate } = await import('../../db/migrate.js');
            const { openCliPostgres } = await import('../cli-postgres.js');
            const server = await openCliPostgres(await configFor(command));
            try {
              applied = (await migrate(server.url)).applied;
            } finally {
              await server.stop();
            }
          }
        } catch (error) {
          // Put the file back as it was: left behind, a rerun after fixing the database said CONFIG_EXISTS.
          if (previous === undefined) rmSync(file, { force: true });
          else writeFileSync(file, previous);
          throw error;
        }
        if (options.json) console.log(JSON.stringify({ configFile: file, applied }));
        else {
          console.log(`wrote ${file}`);
          if (options.migrate !== false) console.log(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
          console.log('next: set SFSYNC_USERNAME/SFSYNC_PASSWORD (or another flow) and run `sfsync connect`');
        }
      }),
    );
}
