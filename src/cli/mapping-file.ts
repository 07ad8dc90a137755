/**
 * Mappings as JSON files: sfsync's own export format, and Heroku Connect's
 * mapping export (`mappings: [{object_name, config: {access, fields …}}]`),
 * both validated strictly — an unknown key fails with one line naming it,
 * before anything is applied.
 */
import { sql, type InferResult } from 'kysely';
import { z } from 'zod';
import { sfsync } from '../db/typed-query.js';
import { SfsyncError } from '../errors.js';
import { mappingSpecSchema, type MappingSpecInput } from '../mapping/mapping-spec.js';

/** A mapping in a file: the spec without the connection (chosen at import). */
export type MappingEntry = Omit<MappingSpecInput, 'connectionId'>;

/** sfsync's export: `{ "sfsync": 1, "mappings": [...] }`. */
const sfsyncFileSchema = z
  .object({
    sfsync: z.literal(1),
    exportedAt: z.string().optional(),
    mappings: z.array(mappingSpecSchema.omit({ connectionId: true }).strict()),
  })
  .strict();

/** Heroku Connect's per-mapping config (the keys its export writes). */
const herokuConfigSchema = z
  .object({
    access: z.enum(['read_only', 'read_write']),
    sf_notify_enabled: z.boolean().optional(),
    sf_polling_seconds: z.number().int().positive().optional(),
    sf_max_daily_api_calls: z.number().int().nonnegative().optional(),
    fields: z.record(z.string(), z.object({}).passthrough()),
    indexes: z.record(z.string(), z.object({ unique: z.boolean().optional() }).strict()).optional(),
    upsert_field: z.string().optional(),
  })
  .strict();

const herokuFileSchema = z
  .object({
    mappings: z.array(z.object({ object_name: z.string(), config: herokuConfigSchema }).strict()),
    connection: z.record(z.string(), z.unknown()).optional(),
    version: z.union([z.number(), z.string()]).optional(),
  })
  .strict();

/** Fields every sfsync table has anyway (Heroku Connect lists them explicitly). */
const IMPLICIT = new Set(['id', 'isdeleted', 'systemmodstamp', 'createddate']);

/** A parsed file: the mappings and notes about what was not carried over. */
export interface ParsedMappingFile {
  format: 'sfsync' | 'heroku-connect';
  mappings: MappingEntry[];
  notes: string[];
}

/** Parse a mapping file's JSON text (either format). */
export function parseMappingFile(text: string, source: string): ParsedMappingFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SfsyncError('IMPORT_INVALID', `${source} is not valid JSON (${(cause as Error).message}); export it again.`, { cause });
  }
  const isHeroku = Array.isArray((json as { mappings?: unknown })?.mappings) && (json as { sfsync?: unknown }).sfsync === undefined;
  if (isHeroku) return fromHeroku(check(herokuFileSchema, json, source, 'Heroku Connect export'));
  const file = check(sfsyncFileSchema, json, source, 'sfsync mapping export');
  return { format: 'sfsync', mappings: file.mappings, notes: [] };
}

function fromHeroku(file: z.infer<typeof herokuFileSchema>): ParsedMappingFile {
  const notes: string[] = [];
  const mappings = file.mappings.map(({ object_name: sobject, config }): MappingEntry => {
    const fields = Object.keys(config.fields).filter((f) => !IMPLICIT.has(f.toLowerCase()));
    if (fields.length === 0)
      throw new SfsyncError(
        'IMPORT_INVALID',
        `The Heroku Connect mapping of ${sobject} has no fields besides Id/IsDeleted/SystemModstamp/CreatedDate; add one to its "fields".`,
      );
    const extraIndexes = Object.keys(config.indexes ?? {}).filter((f) => !['id', 'systemmodstamp'].includes(f.toLowerCase()));
    if (extraIndexes.length > 0) notes.push(`${sobject}: indexes on ${extraIndexes.join(', ')} are not created; create them with SQL`);
    return {
      sobject,
      fields,
      mode: config.access,
      streaming: config.sf_notify_enabled === false ? 'off' : 'auto',
      ...(config.sf_polling_seconds !== undefined ? { pollInterval: `${config.sf_polling_seconds} seconds` } : {}),
      // 0 is Heroku Connect's "no cap".
      ...(config.sf_max_daily_api_calls ? { maxDailyApiCalls: config.sf_max_daily_api_calls } : {}),
      ...(config.upsert_field !== undefined ? { externalIdField: config.upsert_field } : {}),
    };
  });
  return { format: 'heroku-connect', mappings, notes };
}

function check<T>(schema: z.ZodType<T>, json: unknown, source: string, what: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  if (issue.code === 'unrecognized_keys') {
    const key = at ? `${at}.${issue.keys[0]}` : issue.keys[0];
    throw new SfsyncError(
      'IMPORT_UNKNOWN_KEY',
      `${source}: unknown key "${key}" in the ${what}; sfsync does not know what to do with it — remove it and import again.`,
    );
  }
  throw new SfsyncError('IMPORT_INVALID', `${source}: ${at || '(root)'}: ${issue.message} in the ${what}; fix it and import again.`);
}

/** The stored mappings as file entries need them (export, `mappings`; order by `m.id`). */
export const mappingRows = sfsync
  .selectFrom('mappings as m')
  .select([
    'm.id',
    'm.connection_id',
    'm.sobject',
    'm.fields',
    'm.mode',
    'm.external_id_field',
    'm.row_filter',
    sql<number>`extract(epoch from m.poll_interval)::float8`.as('poll_seconds'),
    sql<number>`extract(epoch from m.drift_delay)::float8`.as('drift_seconds'),
    'm.max_daily_api_calls',
    'm.conflict_policy',
    'm.streaming',
    'm.delete_mode',
    'm.compat',
    'm.event_channel',
    'm.event_field',
    'm.schema_name',
    'm.table_name',
  ]);

/** A mapping row turned back into a file entry (export, `mappings --plan`). */
export type MappingRow = InferResult<typeof mappingRows>[number];

/** A stored mapping as a file entry. */
export function entryFromRow(row: MappingRow): MappingEntry {
  return {
    sobject: row.sobject,
    fields: row.fields,
    mode: row.mode,
    ...(row.external_id_field ? { externalIdField: row.external_id_field } : {}),
    ...(row.row_filter ? { rowFilter: row.row_filter } : {}),
    pollInterval: `${row.poll_seconds} seconds`,
    driftDelay: `${row.drift_seconds} seconds`,
    ...(row.max_daily_api_calls !== null ? { maxDailyApiCalls: row.max_daily_api_calls } : {}),
    conflictPolicy: row.conflict_policy,
    streaming: row.streaming,
    deleteMode: row.delete_mode,
    ...(row.compat === 'heroku-connect' ? { compat: row.compat } : {}),
    ...(row.event_channel && row.event_field ? { event: row.event_channel, eventField: row.event_field } : {}),
    schema: row.schema_name,
    table: row.table_name,
  };
}
