import type { Command } from 'commander';
import { SfsyncError } from '../../errors.js';
import { withSession } from '../cli-session.js';
import { action } from '../run-command.js';

interface Options {
  all?: boolean;
  json?: boolean;
}

/** `sfsync pause|resume <mapping>|--all`: `sfsync.pause()` / `sfsync.resume()`. */
export function registerPauseResume(program: Command): void {
  for (const verb of ['pause', 'resume'] as const) {
    program
      .command(`${verb} [mapping]`)
      .description(verb === 'pause' ? 'stop polling and pushing a mapping (object, id or schema.table); changes are still captured' : 'resume a paused mapping')
      .option('--all', `${verb} every mapping`)
      .option('--json', 'print the affected mapping ids as JSON')
      .action(
        action(async (mapping: string | undefined, options: Options, command: Command) => {
          if (!mapping && !options.all) throw new SfsyncError('USAGE', `Name the mapping to ${verb} (object, id or schema.table), or pass --all.`);
          if (mapping && options.all) throw new SfsyncError('USAGE', `Give a mapping or --all, not both.`);
          const ids = await withSession(command, async ({ pool }) => {
            const { rows } = await pool.query<{ id: string }>(`select id::text from sfsync.${verb}($1, all_mappings => $2::boolean) as id`, [
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
