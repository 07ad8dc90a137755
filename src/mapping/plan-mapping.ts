/**
 * `planMapping`: the deterministic SQL that creates or changes a mapping —
 * schema, table or added columns, the index, the mappings row, the capture
 * triggers of read_write mappings, and the backfill job — printable before
 * it runs (`sfsync map --plan`) and run by `applyMapping` in one transaction.
 *
 * @example
 * const plan = await planMapping(client, salesforce, { connectionId: '1', sobject: 'Account', fields: ['Name'], mode: 'read_write' });
 * console.log(plan.statements.join(';\n'));
 */
import pg from 'pg';
import { run, sfsync } from '../db/typed-query.js';
import { SfsyncError } from '../errors.js';
import type { SalesforceClient } from '../salesforce/salesforce-client.js';
import type { FieldInfo } from './field-info.js';
import { parseMappingSpec, type MappingSpec, type MappingSpecInput } from './mapping-spec.js';
import { mappingNames } from './mapping-names.js';
import { parseRowFilter } from './row-filter.js';
import { assertPollQueryFits } from './query-size.js';
import { resolveExternalId, resolveFields } from './resolve-fields.js';
import { compatStatements, tableStatements, triggerStatements, jobStatement, mappingRowStatement, type ExistingMapping } from './plan-statements.js';

/** What {@link planMapping} decided. */
export interface MappingPlan {
  /** The mapping's id (reserved from the identity sequence for a new mapping). */
  mappingId: string;
  /** The SQL to run, in order, each without a trailing `;`. */
  statements: string[];
  spec: MappingSpec;
  fieldInfo: FieldInfo[];
  /** Fields new to an existing mapping (their columns are added and backfilled by `sfsync:reload`). */
  addedFields: string[];
  /** True when no mapping existed for this object (or it was only requested from SQL). */
  isNew: boolean;
  /** False when applying would change nothing (the table, triggers and row already match). */
  changed: boolean;
}

/** Options of {@link planMapping}. */
export interface PlanMappingOptions {
  /**
   * Adopt the table in place (`sfsync adopt heroku-connect`): its rows came
   * from Salesforce already, so they start `synced` and no initial load is
   * queued (the adoption starts polling at the table's newest systemmodstamp).
   * Default false.
   */
  adopt?: boolean;
}

/** Plan a mapping: validate the spec, describe the object, compare with the catalog and the mappings row. */
export async function planMapping(
  client: pg.ClientBase,
  salesforce: SalesforceClient,
  input: MappingSpecInput,
  options: PlanMappingOptions = {},
): Promise<MappingPlan> {
  const spec = parseMappingSpec(input);
  const described = await salesforce.describe(spec.sobject);
  const externalIdField = spec.externalIdField === undefined ? undefined : resolveExternalId(described, spec.externalIdField);
  const requested =
    externalIdField === undefined || spec.fields.some((f) => f.toLowerCase() === externalIdField.toLowerCase())
      ? spec.fields
      : [...spec.fields, externalIdField];
  const fieldInfo = resolveFields(described, requested);
  if (fieldInfo.length === 0) {
    // A mapping of implicit fields alone stored field_info '[]', which also marks a request not yet applied: the engine re-applied it forever.
    throw new SfsyncError(
      'MAPPING_INVALID',
      `The ${described.name} mapping names no field to sync besides Id, SystemModstamp, IsDeleted and CreatedDate (always synced; base64 fields are skipped); add another field to --fields.`,
    );
  }
  const rowFilter = spec.rowFilter === undefined ? undefined : parseRowFilter(spec.rowFilter, described.name, described).soql;
  assertPollQueryFits(described.name, fieldInfo, rowFilter);
  const resolved: MappingSpec = {
    ...spec,
    sobject: described.name,
    fields: requested,
    ...(externalIdField ? { externalIdField } : {}),
    ...(rowFilter === undefined ? {} : { rowFilter }),
  };
  const existing = await loadExisting(client, resolved);
  const mappingId = existing?.id ?? (await reserveId(client));
  const names = mappingNames(resolved.schema, resolved.table);
  const columns = await existingColumns(client, resolved.schema, resolved.table);
  // The capture is installed when its insert trigger is; the single row-level trigger of older versions (tg_<table>__capture) is replaced.
  const hasTrigger = columns !== undefined && (await triggerExists(client, resolved.schema, resolved.table, names.raw.insertTrigger));
  const hasRowTrigger = columns !== undefined && (await triggerExists(client, resolved.schema, resolved.table, names.raw.captureTrigger));
  const hasCompat = columns !== undefined && (await triggerExists(client, resolved.schema, resolved.table, names.raw.compatTrigger));
  // A mapping keeps compat once it has it: a later `sfsync map` without --compat must not break the apps reading the columns.
  const compat = (resolved.compat ?? existing?.compat ?? undefined) === 'heroku-connect';
  const isNew = existing === undefined || existing.fieldInfo.length === 0;
  const previous = new Set((existing?.fieldInfo ?? []).map((f) => f.name));
  const addedFields = isNew ? [] : fieldInfo.filter((f) => !previous.has(f.name)).map((f) => f.name);
  const wantTrigger = resolved.mode === 'read_write';
  // An adopted table keeps its rows: only fields it has no column for yet are loaded (a backfill of those columns).
  const backfill = isNew && options.adopt ? fieldInfo.filter((f) => columns !== undefined && !columns.has(f.column)).map((f) => f.name) : addedFields;
  const statements = [
    ...tableStatements(names, fieldInfo, columns, { compat, adopt: Boolean(options.adopt) }),
    mappingRowStatement(mappingId, resolved, fieldInfo, existing),
    ...triggerStatements(names, mappingId, fieldInfo, { drop: hasTrigger || hasRowTrigger, create: wantTrigger }),
    ...(compat || hasCompat ? compatStatements(names, fieldInfo, { drop: hasCompat, create: compat }) : []),
    ...(isNew && !options.adopt ? [jobStatement(mappingId)] : backfill.length > 0 ? [jobStatement(mappingId, backfill)] : []),
  ];
  const changed =
    existing === undefined ||
    isNew ||
    statements.some((s) => /^(create|alter) (table|schema)/.test(s)) ||
    hasTrigger !== wantTrigger ||
    hasRowTrigger ||
    hasCompat !== compat ||
    !sameMapping(existing, resolved, fieldInfo);
  return { mappingId, statements, spec: resolved, fieldInfo, addedFields, isNew, changed };
}

async function loadExisting(client: pg.ClientBase, spec: MappingSpec): Promise<ExistingMapping | undefined> {
  const rows = await run(
    client,
    sfsync
      .selectFrom('mappings')
      .select(['id', 'schema_name', 'table_name', 'sobject', 'field_info', 'mode', 'external_id_field', 'row_filter', 'compat'])
      .where((eb) =>
        eb.or([
          eb.and([eb('connection_id', '=', spec.connectionId), eb(eb.fn('lower', ['sobject']), '=', eb.fn('lower', [eb.val(spec.sobject)]))]),
          eb.and([eb('schema_name', '=', spec.schema), eb('table_name', '=', spec.table)]),
        ]),
      ),
  );
  if (rows.length > 1 || (rows[0] && (rows[0].schema_name !== spec.schema || rows[0].table_name !== spec.table))) {
    throw new SfsyncError(
      'MAPPING_CONFLICT',
      `${spec.sobject} or ${spec.schema}.${spec.table} already belongs to another mapping; remove that mapping first or choose another table.`,
    );
  }
  const row = rows[0];
  if (row && row.sobject.toLowerCase() !== spec.sobject.toLowerCase()) {
    throw new SfsyncError('MAPPING_CONFLICT', `${spec.schema}.${spec.table} already maps ${row.sobject}; remove that mapping first or choose another table.`);
  }
  return (
    row && {
      id: row.id,
      fieldInfo: row.field_info as FieldInfo[],
      mode: row.mode,
      externalIdField: row.external_id_field,
      rowFilter: row.row_filter,
      compat: row.compat,
    }
  );
}

async function reserveId(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ id: string }>(`select nextval(pg_get_serial_sequence('sfsync.mappings', 'id'))::text as id`);
  return rows[0]!.id;
}

/** Column names of the table, or undefined when it does not exist. */
async function existingColumns(client: pg.ClientBase, schema: string, table: string): Promise<Set<string> | undefined> {
  const { rows } = await client.query<{ column_name: string | null }>(
    `select a.attname as column_name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')`,
    [schema, table],
  );
  if (rows.length === 0) return undefined;
  return new Set(rows.map((r) => r.column_name).filter((c): c is string => c !== null));
}

async function triggerExists(client: pg.ClientBase, schema: string, table: string, trigger: string): Promise<boolean> {
  const { rows } = await client.query(
    `select 1 from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2 and t.tgname = $3`,
    [schema, table, trigger],
  );
  return rows.length > 0;
}

function sameMapping(existing: ExistingMapping, spec: MappingSpec, fieldInfo: FieldInfo[]): boolean {
  return (
    existing.mode === spec.mode &&
    (existing.externalIdField ?? undefined) === spec.externalIdField &&
    (existing.rowFilter ?? undefined) === spec.rowFilter &&
    (spec.compat === undefined || existing.compat === spec.compat) &&
    canonicalJson(existing.fieldInfo) === canonicalJson(fieldInfo)
  );
}

/**
 * JSON with every object's keys sorted. `field_info` read back from jsonb has
 * its keys in jsonb's order (shortest first), not the order they were built
 * in: compared as plain JSON.stringify, an unchanged mapping looked changed,
 * so a running engine re-applied it, which notified itself, forever.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
