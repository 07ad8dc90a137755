import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SfsyncError } from '../../errors.js';
import { withSession } from '../cli-session.js';
import { findConnection } from '../open-salesforce.js';
import { formatPlan, planJson } from '../plan-output.js';
import { action } from '../run-command.js';

interface ImportFlags {
  connection?: string;
  plan?: boolean;
  json?: boolean;
}

/**
 * `sfsync import <file> [--plan]`: apply the mappings of an sfsync export or a
 * Heroku Connect mapping export — all in one transaction, or none.
 */
export function registerImport(program: Command): void {
  program
    .command('import <file>')
    .description('apply mappings from a JSON file: an `sfsync export` or a Heroku Connect mapping export (all or nothing)')
    .option('--connection <name>', 'stored connection (default: the only one, or "default")')
    .option('--plan', 'print the SQL that would run, change nothing')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (file: string, flags: ImportFlags, command: Command) => {
        // Imported when run: zod, pg and the mapping planner would cost every command's startup (global-options.ts).
        const [{ applyMappings }, { parseMappingFile }, { createProgress }] = await Promise.all([
          import('../../mapping/apply-mapping.js'),
          import('../mapping-file.js'),
          import('../progress.js'),
        ]);
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (cause) {
          throw new SfsyncError(
            'IMPORT_UNREADABLE',
            `Cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); check the path.`,
            { cause },
          );
        }
        const parsed = parseMappingFile(text, file);
        const plans = await withSession(command, async ({ config, pool }) => {
          const connection = await findConnection(pool, flags.connection);
          const { openClient: openSalesforce } = await import('../../salesforce/open-client.js');
          const salesforce = await openSalesforce(config, connection);
          const specs = parsed.mappings.map((m) => ({ ...m, connectionId: connection.id }));
          // A bar on a terminal only: a failed import must stay one line on stderr.
          const progress = createProgress(flags.plan ? 'planning' : 'importing', { quiet: Boolean(flags.json) || !process.stderr.isTTY, unit: 'mappings' });
          const client = await pool.connect();
          try {
            return await applyMappings(client, salesforce, specs, { planOnly: Boolean(flags.plan), progress, onFailure: importFailure });
          } finally {
            progress.stop();
            client.release();
          }
        });
        if (flags.json) {
          console.log(JSON.stringify({ format: parsed.format, applied: !flags.plan, notes: parsed.notes, mappings: plans.map(planJson) }));
          return;
        }
        for (const note of parsed.notes) console.error(`note: ${note}`);
        if (flags.plan) console.log(plans.map(formatPlan).join('\n\n'));
        else
          console.log(
            `imported ${plans.length} mapping(s) from ${file} (${parsed.format}): ${plans.map((p) => `${p.spec.sobject} → ${p.spec.schema}.${p.spec.table}`).join(', ')}`,
          );
      }),
    );
}

/** A failed mapping of a file names its place in the file; nothing of the file was applied. */
function importFailure(index: number, spec: { sobject?: unknown }, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new SfsyncError('IMPORT_FAILED', `Mapping ${index + 1} (${String(spec.sobject)}) failed: ${reason.replace(/[.;]?\s*$/, '')}; nothing was imported.`, {
    cause: error,
  });
}
