import type { Command } from 'commander';
import type { MappingPlan } from '../../mapping/plan-mapping.js';
import { withSession } from '../cli-session.js';
import type { MappingRow } from '../mapping-file.js';
import { findConnection } from '../open-salesforce.js';
import { formatTable, printJson } from '../output.js';
import { formatPlan, planJson } from '../plan-output.js';
import { action } from '../run-command.js';

type Row = MappingRow & { connection: string; state: string };

/**
 * `sfsync mappings [--plan]`: list the mappings; `--plan` describes each
 * object again and prints the SQL that re-applying it would run (empty when
 * the table and triggers already match Salesforce and the mapping row).
 */
export function registerMappings(program: Command): void {
  program
    .command('mappings')
    .description('list the mappings; --plan prints the SQL re-applying each would run (nothing is changed)')
    .option('--plan', 'describe each object and print the pending SQL')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (flags: { plan?: boolean; json?: boolean }, command: Command) => {
        // Imported when run: zod, pg and the mapping planner would cost every command's startup (global-options.ts).
        const [{ mappingRows, entryFromRow }, { run }] = await Promise.all([import('../mapping-file.js'), import('../../db/typed-query.js')]);
        const { rows, plans } = await withSession(command, async ({ config, pool }) => {
          const rows: Row[] = await run(
            pool,
            mappingRows.innerJoin('connections as c', 'c.id', 'm.connection_id').select(['m.state', 'c.name as connection']).orderBy('m.id'),
          );
          if (!flags.plan || rows.length === 0) return { rows, plans: [] as MappingPlan[] };
          return { rows, plans: await planAll(pool, config, rows) };
        });
        if (flags.json)
          printJson(
            flags.plan
              ? { plans: plans.map(planJson) }
              : { mappings: rows.map((r) => ({ id: Number(r.id), connection: r.connection, state: r.state, ...entryFromRow(r) })) },
          );
        else if (flags.plan) console.log(plans.length ? plans.map(formatPlan).join('\n\n') : 'No mappings yet.');
        else
          console.log(
            formatTable(
              rows,
              [
                { header: 'id', value: (r) => r.id, right: true },
                { header: 'object', value: (r) => r.sobject },
                { header: 'table', value: (r) => `${r.schema_name}.${r.table_name}` },
                { header: 'mode', value: (r) => r.mode },
                { header: 'state', value: (r) => r.state },
                { header: 'fields', value: (r) => r.fields.join(',') },
              ],
              'No mappings yet: add one with `sfsync map <Object> --fields A,B`.',
            ),
          );
      }),
    );
}

async function planAll(pool: import('pg').Pool, config: import('../../config/config-schema.js').SfsyncConfig, rows: Row[]): Promise<MappingPlan[]> {
  const [{ applyMappings }, { entryFromRow }] = await Promise.all([import('../../mapping/apply-mapping.js'), import('../mapping-file.js')]);
  const plans: MappingPlan[] = [];
  const byConnection = new Map<string, Row[]>();
  for (const row of rows) byConnection.set(row.connection, [...(byConnection.get(row.connection) ?? []), row]);
  for (const [name, group] of byConnection) {
    const connection = await findConnection(pool, name);
    const { openClient: openSalesforce } = await import('../../salesforce/open-client.js');
    const salesforce = await openSalesforce(config, connection);
    const client = await pool.connect();
    try {
      const specs = group.map((r) => ({ connectionId: r.connection_id, ...entryFromRow(r) }));
      plans.push(...(await applyMappings(client, salesforce, specs, { planOnly: true })));
    } finally {
      client.release();
    }
  }
  return plans;
}
