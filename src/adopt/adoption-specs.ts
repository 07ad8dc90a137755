/**
 * The sfsync mapping of each Heroku Connect table: from Heroku Connect's
 * mapping export when given (its fields, access, polling, streaming), else
 * from the table's own columns checked against describe. Every adopted
 * mapping keeps Heroku Connect's status columns (compat 'heroku-connect').
 */
import { SfsyncError } from '../errors.js';
import type { MappingSpecInput } from '../mapping/mapping-spec.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import type { HerokuConnectTable } from './find-heroku-connect.js';

/** A mapping of the export, without a connection (the CLI parses the file: src/cli/mapping-file.ts). */
export type ExportedMapping = Omit<MappingSpecInput, 'connectionId'>;

/** Columns that are not Salesforce fields of their own: keys, Heroku Connect's and sfsync's status columns. */
const NOT_FIELDS = new Set(['id', 'sfid', 'systemmodstamp', 'isdeleted', 'createddate', '_hc_lastop', '_hc_err', '_sfsync_state', '_sfsync_error']);

/** The specs, one per table, and notes on what was left out. */
export interface AdoptionSpecs {
  specs: MappingSpecInput[];
  notes: string[];
}

/** Specs from the export: every table must have its mapping, every mapping its table. */
export function specsFromExport(connectionId: string, schema: string, tables: HerokuConnectTable[], exported: ExportedMapping[]): AdoptionSpecs {
  const byTable = new Map(exported.map((m) => [m.table ?? m.sobject.toLowerCase(), m]));
  for (const [table, m] of byTable) {
    if (!tables.some((t) => t.table === table)) {
      throw new SfsyncError(
        'ADOPT_EXPORT_MISMATCH',
        `The export maps ${m.sobject} but schema ${schema} has no Heroku Connect table ${table}; export the mappings of this connection again or pass the right --schema.`,
      );
    }
  }
  const specs = tables.map((t): MappingSpecInput => {
    const m = byTable.get(t.table);
    if (m === undefined) {
      throw new SfsyncError(
        'ADOPT_EXPORT_MISMATCH',
        `${schema}.${t.table} is a Heroku Connect table but the export has no mapping for it; export the mappings of this connection again, or run without --export.`,
      );
    }
    return { ...m, connectionId, schema, table: t.table, compat: 'heroku-connect' };
  });
  return { specs, notes: [] };
}

/** Specs from the tables' columns: each column must be a field describe lists; others stay unsynced (noted). */
export async function specsFromColumns(
  connectionId: string,
  schema: string,
  tables: HerokuConnectTable[],
  salesforce: SalesforceClient,
  existingMode: (table: string) => 'read_only' | 'read_write' | undefined,
): Promise<AdoptionSpecs> {
  const specs: MappingSpecInput[] = [];
  const notes: string[] = [];
  for (const t of tables) {
    // Heroku Connect names a table after its object in lower case; describe takes any case.
    const described = await salesforce.describe(t.table);
    const byName = new Map(described.fields.map((f) => [f.name.toLowerCase(), f.name]));
    const columns = t.columns.filter((c) => !NOT_FIELDS.has(c));
    const fields = columns.flatMap((c) => (byName.has(c) ? [byName.get(c)!] : []));
    const unknown = columns.filter((c) => !byName.has(c));
    if (unknown.length > 0) notes.push(`${schema}.${t.table}: ${unknown.join(', ')} match no ${described.name} field and stay unsynced`);
    if (fields.length === 0) {
      throw new SfsyncError(
        'ADOPT_NO_FIELDS',
        `${schema}.${t.table} has no column matching a ${described.name} field besides the fixed ones; pass Heroku Connect's mapping export with --export.`,
      );
    }
    const mode = t.access ?? existingMode(t.table) ?? 'read_only';
    specs.push({ connectionId, sobject: described.name, fields, mode, schema, table: t.table, compat: 'heroku-connect' });
  }
  return { specs, notes };
}
