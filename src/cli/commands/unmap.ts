import type { Command } from 'commander';
import { withSession } from '../cli-session.js';
import { action } from '../run-command.js';

interface UnmapFlags {
  dropTable?: boolean;
  plan?: boolean;
  json?: boolean;
}

/** `sfsync unmap <mapping> [--drop-table] [--plan]`: `sfsync.remove_mapping` (triggers and row; the table stays unless asked). */
export function registerUnmap(program: Command): void {
  program
    .command('unmap <mapping>')
    .description('remove a mapping (object, id or schema.table): its triggers and pending changes go; the table stays unless --drop-table')
    .option('--drop-table', 'drop the table too')
    .option('--plan', 'print the SQL that would run, change nothing')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (mapping: string, flags: UnmapFlags, command: Command) => {
        // Imported when run: zod, pg and the mapping planner would cost every command's startup (global-options.ts).
        const [{ removeMapping }, { run, sfsync, sql }] = await Promise.all([import('../../mapping/apply-mapping.js'), import('../../db/typed-query.js')]);
        const result = await withSession(command, async ({ pool }) => {
          const rows = await run(
            pool,
            sfsync
              .selectFrom('mappings as m')
              .select(['m.id', 'm.sobject', sql<string>`m.schema_name || '.' || m.table_name`.as('target')])
              .where('m.id', '=', sql<string>`sfsync.resolve_mapping(${mapping})`),
          );
          const row = rows[0]!;
          const statement = `select sfsync.remove_mapping(${row.id}, ${flags.dropTable ? 'true' : 'false'});`;
          if (flags.plan) return { ...row, sql: statement, removed: false };
          const client = await pool.connect();
          try {
            return { ...row, sql: statement, removed: await removeMapping(client, row.id, { dropTable: Boolean(flags.dropTable) }) };
          } finally {
            client.release();
          }
        });
        if (flags.json)
          console.log(
            JSON.stringify({
              mappingId: Number(result.id),
              sobject: result.sobject,
              table: result.target,
              removed: result.removed,
              droppedTable: Boolean(flags.dropTable && result.removed),
              sql: result.sql,
            }),
          );
        else if (flags.plan) console.log(`-- unmap ${result.sobject} (${result.target})\n${result.sql}`);
        else console.log(`removed the mapping of ${result.sobject}; ${flags.dropTable ? `dropped ${result.target}` : `${result.target} is kept`}`);
      }),
    );
}
