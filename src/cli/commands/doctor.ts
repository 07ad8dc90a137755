import type { Command } from 'commander';
import { withSession } from '../cli-session.js';
import { printJson } from '../output.js';
import { action } from '../run-command.js';

interface DoctorFlags {
  json?: boolean;
  fix?: boolean;
  salesforce?: boolean;
}

/**
 * `sfsync doctor [--json] [--fix] [--no-salesforce]`: compare what is
 * installed with what should be; one line per finding with its fix. Exits 1
 * when something fails (warnings alone exit 0).
 */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the schema, capture triggers, connections, worker, engines and server settings; one line per finding with its fix')
    .option('--fix', 're-create wrong capture triggers and unlock dead engines’ jobs, then check again')
    .option('--no-salesforce', 'skip the checks that log in to Salesforce (login, API budget, clock skew)')
    .option('--json', 'print the findings as JSON')
    .action(
      action(async (flags: DoctorFlags, command: Command) => {
        const { fixProblems, runDoctor } = await import('../doctor/run-doctor.js');
        const { formatFinding } = await import('../doctor/finding.js');
        const result = await withSession(
          command,
          async ({ config, pool }) => {
            const fixed = flags.fix ? await fixProblems(pool) : undefined;
            return { fixed, findings: await runDoctor(pool, config, { salesforce: flags.salesforce }) };
          },
          { requireSchema: false },
        );
        if (flags.json) printJson(result);
        else {
          if (result.fixed) console.log(`fixed: ${result.fixed.triggers.length} capture trigger set(s), ${result.fixed.engines.length} dead engine(s)`);
          for (const finding of result.findings) console.log(formatFinding(finding));
        }
        if (result.findings.some((f) => f.status === 'fail')) process.exitCode = 1;
      }),
    );
}
