import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AdoptResult } from '../../adopt/adopt-heroku-connect.js';
import { SfsyncError } from '../../errors.js';
import { withSession } from '../cli-session.js';
import { findConnection } from '../open-salesforce.js';
import { formatPlan, planJson } from '../plan-output.js';
import { action } from '../run-command.js';

interface AdoptFlags {
  schema: string;
  export?: string;
  connection?: string;
  plan?: boolean;
  force?: boolean;
  json?: boolean;
}

/**
 * `sfsync adopt heroku-connect [--schema salesforce] [--export mappings.json] [--plan] [--force]`:
 * take over a Heroku Connect database in place — rows, sfids and unsent writes
 * kept, Heroku Connect's triggers replaced by sfsync's — in one transaction.
 */
export function registerAdopt(program: Command): void {
  const adopt = program.command('adopt').description('take over a database another sync tool kept, in place');
  adopt
    .command('heroku-connect')
    .description("adopt Heroku Connect's tables, rows and unsent writes in place (one transaction; no reload)")
    .option('--schema <name>', 'schema Heroku Connect syncs into', 'salesforce')
    .option('--export <file>', "Heroku Connect's mapping export (default: each table's columns checked against describe)")
    .option('--connection <name>', 'stored connection (default: the only one, or "default")')
    .option('--plan', 'print every statement and what it would do, change nothing')
    .option('--force', 'adopt even while Heroku Connect seems to be writing (a recent processed_at, or _hcmeta saying active)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (flags: AdoptFlags, command: Command) => {
        // Imported when run: pg, zod and the mapping planner would cost every command's startup (global-options.ts).
        const [{ adoptHerokuConnect }, { parseMappingFile }] = await Promise.all([import('../../adopt/adopt-heroku-connect.js'), import('../mapping-file.js')]);
        const exported = flags.export === undefined ? undefined : parseMappingFile(readExport(flags.export), flags.export);
        if (exported && exported.format !== 'heroku-connect') {
          throw new SfsyncError(
            'ADOPT_EXPORT_INVALID',
            `${flags.export} is an sfsync export, not a Heroku Connect mapping export; export the mappings from Heroku Connect.`,
          );
        }
        const result = await withSession(command, async ({ config, pool }) => {
          const connection = await findConnection(pool, flags.connection);
          const { openClient: openSalesforce } = await import('../../salesforce/open-client.js');
          const salesforce = await openSalesforce(config, connection);
          const client = await pool.connect();
          try {
            return await adoptHerokuConnect(client, salesforce, {
              connectionId: connection.id,
              schema: flags.schema,
              ...(exported ? { exported: exported.mappings } : {}),
              planOnly: Boolean(flags.plan),
              force: Boolean(flags.force),
            });
          } finally {
            client.release();
          }
        });
        const notes = [...(exported?.notes ?? []), ...result.notes];
        if (flags.json) {
          console.log(
            JSON.stringify({
              applied: !flags.plan && result.changed,
              changed: result.changed,
              notes,
              tables: result.tables,
              mappings: result.plans.map(planJson),
            }),
          );
          return;
        }
        for (const note of notes) console.error(`note: ${note}`);
        console.log(flags.plan ? formatAdoptPlan(result) : describeAdopted(result));
      }),
    );
}

function readExport(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SfsyncError(
      'ADOPT_EXPORT_UNREADABLE',
      `Cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); check the path.`,
      {
        cause,
      },
    );
  }
}

/** Every statement, in order, then the SQL function call with what it would do per table. */
export function formatAdoptPlan(result: AdoptResult): string {
  const perTable = result.tables.map((t) => `-- ${result.schema}.${t.table}: ${tableSummary(t)}`);
  return [
    ...result.plans.map(formatPlan),
    [`-- adopt (mapping rows above, then Heroku Connect's triggers, log and polling start)`, `${result.adoptStatement};`, ...perTable].join('\n'),
  ].join('\n\n');
}

function tableSummary(t: AdoptResult['tables'][number]): string {
  const parts = [
    `${t.droppedTriggers} Heroku Connect trigger(s) dropped`,
    `${t.moved} unsent log entr${t.moved === 1 ? 'y' : 'ies'} moved to the outbox`,
    `${t.failed} failed change(s) recorded`,
    t.watermark ? `polling from ${t.watermark.toISOString()} with a reconcile queued` : 'empty: loaded by sfsync:reload',
  ];
  return parts.join(', ');
}

function describeAdopted(result: AdoptResult): string {
  if (!result.changed) return `schema ${result.schema} is already adopted (${result.tables.length} table(s)); nothing changed`;
  const lines = result.tables.map((t) => `  ${result.schema}.${t.table} (mapping ${t.mappingId}): ${tableSummary(t)}`);
  return [
    `adopted ${result.tables.length} Heroku Connect table(s) in schema ${result.schema}; start (or keep running) \`sfsync start\` to sync:`,
    ...lines,
  ].join('\n');
}
