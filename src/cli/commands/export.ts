import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withSession } from '../cli-session.js';
import { action } from '../run-command.js';

/** `sfsync export [--out file]`: every mapping as JSON (sfsync's format; `sfsync import` reads it back). */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write every mapping as JSON (to stdout, or --out file) for `sfsync import`')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(
      action(async (flags: { out?: string }, command: Command) => {
        // Imported when run: zod, pg and the mapping planner would cost every command's startup (global-options.ts).
        const [{ mappingRows, entryFromRow }, { run }] = await Promise.all([import('../mapping-file.js'), import('../../db/typed-query.js')]);
        const rows = await withSession(command, ({ pool }) => run(pool, mappingRows.orderBy('m.id')));
        const text = `${JSON.stringify({ sfsync: 1, exportedAt: new Date().toISOString(), mappings: rows.map(entryFromRow) }, null, 2)}\n`;
        if (flags.out) {
          writeFileSync(flags.out, text);
          console.error(`exported ${rows.length} mapping(s) to ${flags.out}`);
        } else process.stdout.write(text);
      }),
    );
}
