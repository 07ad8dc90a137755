import type { Command } from 'commander';
import { SfsyncError } from '../../errors.js';
import { withSession } from '../cli-session.js';
import { action } from '../run-command.js';

interface Options {
  all?: boolean;
  connection?: string;
  json?: boolean;
}

/**
 * `sfsync pause|resume <mapping>|--all|--connection <name>`: `sfsync.pause()` /
 * `sfsync.resume()`, or `sfsync.pause_connection()` / `resume_connection()`
 * for every mapping of one org (the others run on).
 */
export function registerPauseResume(program: Command): void {
  for (const verb of ['pause', 'resume'] as const) {
    program
      .command(`${verb} [mapping]`)
      .description(verb === 'pause' ? 'stop polling and pushing a mapping (object, id or schema.table); changes are still captured' : 'resume a paused mapping')
      .option('--all', `${verb} every mapping`)
      .option('--connection <name>', `${verb} every mapping of this connection (one org); the others are left as they are`)
      .option('--json', 'print the affected mapping ids as JSON')
      .action(
        action(async (mapping: string | undefined, options: Options, command: Command) => {
          const given = [mapping, options.all, options.connection].filter((v) => v !== undefined && v !== false).length;
          if (given === 0) throw new SfsyncError('USAGE', `Name the mapping to ${verb} (object, id or schema.table), or pass --all or --connection <name>.`);
          if (given > 1) throw new SfsyncError('USAGE', `Give one of a mapping, --all or --connection, not several.`);
          const ids = await withSession(command, async ({ pool }) => {
            const { rows } =
              options.connection !== undefined
                ? await pool.query<{ id: string }>(`select id::text from sfsync.${verb}_connection($1) as id`, [options.connection])
                : await pool.query<{ id: string }>(`select id::text from sfsync.${verb}($1, all_mappings => $2::boolean) as id`, [
                    mapping ?? null,
                    Boolean(options.all),
                  ]);
            return rows.map((r) => Number(r.id));
          });
          if (options.json) console.log(JSON.stringify({ [verb === 'pause' ? 'paused' : 'resumed']: ids }));
          else console.log(ids.length ? `${verb}d mapping(s) ${ids.join(', ')}` : `nothing to ${verb}`);
        }),
      );
  }
}
