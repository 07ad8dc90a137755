import type { Command } from 'commander';
import type { MappingSpecInput } from '../../mapping/mapping-spec.js';
import type { MappingPlan } from '../../mapping/plan-mapping.js';
import { SfsyncError } from '../../errors.js';
import { withSession } from '../cli-session.js';
import { findOrConnect, forgetNewConnection } from '../auto-connect.js';
import { action } from '../run-command.js';
import { formatPlan, planJson } from '../plan-output.js';

interface MapFlags {
  fields?: string;
  mode: string;
  table?: string;
  schema?: string;
  externalId?: string;
  filter?: string;
  pollInterval?: string;
  driftDelay?: string;
  conflictPolicy?: string;
  streaming?: string;
  deleteMode?: string;
  compat?: string;
  event?: string;
  eventField?: string;
  connection?: string;
  plan?: boolean;
  json?: boolean;
}

/** The spec the flags describe (validated by the mapping module's own schema). */
function specFromFlags(sobject: string, flags: MapFlags, connectionId: string): MappingSpecInput {
  if (!flags.fields) throw new SfsyncError('USAGE', 'Name the fields to sync with --fields A,B,C (Salesforce API names).');
  const optional = {
    table: flags.table,
    schema: flags.schema,
    externalIdField: flags.externalId,
    rowFilter: flags.filter,
    pollInterval: flags.pollInterval,
    driftDelay: flags.driftDelay,
    conflictPolicy: flags.conflictPolicy,
    streaming: flags.streaming,
    deleteMode: flags.deleteMode,
    compat: flags.compat,
    event: flags.event,
    eventField: flags.eventField,
  };
  const defined = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  const fields = flags.fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return { connectionId, sobject, fields, mode: flags.mode as MappingSpecInput['mode'], ...defined } as MappingSpecInput;
}

/**
 * `sfsync map <Object> --fields A,B --mode read_write|read_only [--plan]`:
 * describe the object, then create or change the table, triggers and mapping
 * row in one transaction (`--plan` prints that SQL and changes nothing).
 */
export function registerMap(program: Command): void {
  program
    .command('map <object>')
    .description('map a Salesforce object to a Postgres table (creates or changes the table and triggers in one transaction)')
    .option('--fields <list>', 'comma-separated field API names (Id, SystemModstamp, IsDeleted, CreatedDate are always synced)')
    .option('--mode <mode>', 'read_only (Salesforce → Postgres) or read_write (both ways)', 'read_only')
    .option('--table <name>', 'table name (default: the object name in lower case; ≤ 40 bytes)')
    .option('--schema <name>', 'schema of the table (default: salesforce)')
    .option('--external-id <field>', 'External ID field used to upsert inserts (no duplicates on retry)')
    .option('--filter <soql>', 'SOQL WHERE condition limiting which records sync')
    .option('--poll-interval <interval>', 'how often to poll, e.g. "30 seconds" (default)')
    .option('--drift-delay <interval>', 'when to re-poll a window to repair drift, e.g. "10 minutes" (default)')
    .option('--conflict-policy <policy>', 'salesforce_wins (default), postgres_wins or newest_wins')
    .option('--streaming <kind>', 'auto (default), cdc, pushtopic or off')
    .option('--delete-mode <mode>', 'delete (default) or mark (keep the row, isdeleted = true)')
    .option('--compat <kind>', "heroku-connect: keep Heroku Connect's _hc_lastop and _hc_err columns for apps that read them")
    .option('--event <name>', 'a Platform Event (X__e) whose events name records to fetch and apply at once (with --event-field)')
    .option('--event-field <field>', "the event's field holding the record Id, or several separated by commas")
    .option('--connection <name>', 'stored connection (default: the only one, or "default")')
    .option('--plan', 'print the SQL that would run, change nothing')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (sobject: string, flags: MapFlags, command: Command) => {
        // Imported when run: zod, pg and the mapping planner would cost every command's startup (global-options.ts).
        const { parseMappingSpec } = await import('../../mapping/mapping-spec.js');
        let stored: string | undefined;
        const plan = await withSession(command, async ({ config, pool }) => {
          parseMappingSpec(specFromFlags(sobject, flags, '0')); // fail on a bad name before logging in to Salesforce
          // No connection stored but credentials configured: connect as `sfsync connect` would (auto-connect.ts says why).
          const resolved = await findOrConnect(pool, config, flags.connection);
          const { connection } = resolved;
          const spec = specFromFlags(sobject, flags, connection.id);
          const { openClient: openSalesforce } = await import('../../salesforce/open-client.js');
          const { applyMapping } = await import('../../mapping/apply-mapping.js');
          // A failed map, or a --plan, keeps no connection it stored.
          let keep = false;
          try {
            const salesforce = await openSalesforce(config, connection);
            const client = await pool.connect();
            try {
              const result = await applyMapping(client, salesforce, spec, { planOnly: Boolean(flags.plan) });
              keep = !flags.plan;
              if (keep && resolved.created) stored = connection.name;
              return result;
            } finally {
              client.release();
            }
          } finally {
            if (!keep) await forgetNewConnection(pool, resolved);
          }
        });
        // On stderr: stdout stays the plan or the JSON document.
        if (stored) console.error(`sfsync: no connection was stored; logged in with the configured credentials and stored connection "${stored}"`);
        if (flags.json) console.log(JSON.stringify({ ...planJson(plan), applied: !flags.plan }));
        else if (flags.plan) console.log(formatPlan(plan));
        else console.log(describeApplied(plan));
      }),
    );
}

function describeApplied(plan: MappingPlan): string {
  const target = `${plan.spec.schema}.${plan.spec.table}`;
  if (!plan.changed) return `${plan.spec.sobject} → ${target} is already mapped as asked (mapping ${plan.mappingId}); nothing changed`;
  const verb = plan.isNew ? 'mapped' : 'changed mapping';
  const extra = plan.isNew
    ? '; the initial load runs when `sfsync start` is running'
    : plan.addedFields.length
      ? `; backfilling ${plan.addedFields.join(', ')}`
      : '';
  return `${verb} ${plan.spec.sobject} → ${target} (${plan.spec.mode}, ${plan.fieldInfo.length} field(s), mapping ${plan.mappingId})${extra}`;
}
