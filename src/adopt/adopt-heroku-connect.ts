/**
 * `adoptHerokuConnect`: take over a Heroku Connect database in place, in ONE
 * transaction per schema. The mappings are planned here (describe needs
 * Salesforce) and applied with `adopt` (rows kept, no initial load); then the
 * SQL function `sfsync.adopt_heroku_connect` (sql/migrations/2_heroku_connect.sql)
 * drops Heroku Connect's triggers, moves its unsent trigger log entries into
 * the outbox in log order, records its failed ones as failed changes, and
 * starts polling at each table's newest systemmodstamp with a reconcile
 * queued. A second run finds nothing to do and changes nothing.
 *
 * @example
 * const result = await adoptHerokuConnect(client, salesforce, { connectionId: '1', schema: 'salesforce' });
 */
import pg from 'pg';
import { run, sfsync } from '../db/typed-query.js';
import { SfsyncError } from '../errors.js';
import { applyMappings } from '../mapping/apply-mapping.js';
import type { MappingPlan } from '../mapping/plan-mapping.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import { specsFromColumns, specsFromExport, type ExportedMapping } from './adoption-specs.js';
import { findHerokuConnect } from './find-heroku-connect.js';

/** Options of {@link adoptHerokuConnect}. */
export interface AdoptOptions {
  /** The `sfsync.connections` row the mappings use. */
  connectionId: string;
  /** Schema of the Heroku Connect tables (default `salesforce`). */
  schema?: string;
  /** Heroku Connect's mapping export, parsed; default: the tables' columns checked against describe. */
  exported?: ExportedMapping[];
  /** Run everything, then roll back (`--plan`). Default false. */
  planOnly?: boolean;
  /** Adopt even while Heroku Connect seems to be writing (`--force`). Default false. */
  force?: boolean;
}

/** What the SQL function did (or would do) for one table. */
export interface AdoptedTable {
  mappingId: string;
  table: string;
  /** Unsent trigger log entries moved to the outbox. */
  moved: number;
  /** Failed trigger log entries recorded as failed changes. */
  failed: number;
  droppedTriggers: number;
  /** Where polling starts (the table's newest systemmodstamp), null for an empty table (loaded instead). */
  watermark: Date | null;
}

/** The outcome of {@link adoptHerokuConnect}. */
export interface AdoptResult {
  schema: string;
  plans: MappingPlan[];
  tables: AdoptedTable[];
  /** The SQL function call that ran after the plans' statements. */
  adoptStatement: string;
  /** False when nothing changed (adopted before). */
  changed: boolean;
  notes: string[];
}

/** Adopt the Heroku Connect tables of a schema; `client` must not be inside a transaction. */
export async function adoptHerokuConnect(client: pg.ClientBase, salesforce: SalesforceClient, options: AdoptOptions): Promise<AdoptResult> {
  const schema = options.schema ?? 'salesforce';
  const force = Boolean(options.force);
  if (!force) await refuseWhileActive(client, schema);
  const tables = await findHerokuConnect(client, schema);
  if (tables.length === 0) {
    throw new SfsyncError('HEROKU_CONNECT_NOT_FOUND', `Schema ${schema} has a trigger log but no Heroku Connect table (id, sfid, _hc_lastop); check --schema.`);
  }
  const modes = await existingModes(client, schema);
  const { specs, notes } = options.exported
    ? specsFromExport(options.connectionId, schema, tables, options.exported)
    : await specsFromColumns(options.connectionId, schema, tables, salesforce, (t) => modes.get(t));
  const adoptStatement = `select * from sfsync.adopt_heroku_connect(${pg.escapeLiteral(schema)}, p_force => ${force})`;
  let adopted: AdoptedTable[] = [];
  const plans = await applyMappings(client, salesforce, specs, {
    adopt: true,
    onlyIfChanged: true,
    planOnly: Boolean(options.planOnly),
    finish: async (c) => {
      adopted = await runAdoption(c, adoptStatement);
      return adopted.some((t) => t.moved > 0 || t.failed > 0 || t.droppedTriggers > 0);
    },
  });
  const changed = plans.some((p) => p.changed) || adopted.some((t) => t.moved > 0 || t.failed > 0 || t.droppedTriggers > 0);
  return { schema, plans, tables: adopted, adoptStatement, changed, notes };
}

/** One line naming why Heroku Connect may still be writing (`sfsync.heroku_connect_activity`), before anything is described. */
async function refuseWhileActive(client: pg.ClientBase, schema: string): Promise<void> {
  const { rows } = await client.query<{ reason: string | null }>('select sfsync.heroku_connect_activity($1) as reason', [schema]);
  const reason = rows[0]?.reason;
  if (reason) {
    throw new SfsyncError(
      'HEROKU_CONNECT_ACTIVE',
      `Heroku Connect still writes to this database (${reason}); pause or remove its connection first, or pass --force.`,
    );
  }
}

async function runAdoption(client: pg.ClientBase, statement: string): Promise<AdoptedTable[]> {
  try {
    const { rows } = await client.query<{
      mapping_id: string;
      table_name: string;
      moved: number;
      failed: number;
      dropped_triggers: number;
      watermark: Date | null;
    }>(statement);
    return rows.map((r) => ({
      mappingId: String(r.mapping_id),
      table: r.table_name,
      moved: r.moved,
      failed: r.failed,
      droppedTriggers: r.dropped_triggers,
      watermark: r.watermark,
    }));
  } catch (error) {
    // Raised by the SQL function with a message naming the fix (object_in_use: Heroku Connect writes).
    const e = error as { code?: string; message?: string };
    if (e.code === '55006') throw new SfsyncError('HEROKU_CONNECT_ACTIVE', `${e.message}.`, { cause: error });
    throw error;
  }
}

/** Modes of mappings already made for the schema's tables (a second run, when Heroku Connect's triggers are gone). */
async function existingModes(client: pg.ClientBase, schema: string): Promise<Map<string, 'read_only' | 'read_write'>> {
  const rows = await run(client, sfsync.selectFrom('mappings').select(['table_name', 'mode']).where('schema_name', '=', schema));
  return new Map(rows.map((r) => [r.table_name, r.mode as 'read_only' | 'read_write']));
}
