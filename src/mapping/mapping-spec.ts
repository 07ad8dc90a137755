/**
 * `MappingSpec`: what a user asks for when mapping a Salesforce object to a
 * Postgres table (CLI `sfsync map`, the TypeScript API, or a mappings row
 * inserted from SQL). Validated with zod; a bad name fails with one line
 * naming the fix, before anything touches the database.
 */
import { z } from 'zod';
import { SfsyncError } from '../errors.js';
import { parseRowFilter } from './row-filter.js';

/** Salesforce API names: a letter, then letters, digits, underscores (≤ 80, Salesforce's own cap). */
export const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
/** Postgres names sfsync creates: lower-case, ≤ 40 bytes so `tg_<table>__capture_insert` (59 bytes) fits 63. */
export const PG_NAME = /^[a-z_][a-z0-9_]{0,39}$/;
const INTERVAL = /^(\d{1,9})(\.\d+)?\s*(ms|milliseconds?|s|sec|seconds?|m|min|minutes?|h|hours?|d|days?)$/i;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Schemas a mapping may never create tables in or put triggers on: sfsync's
 * own (a capture trigger on sfsync.outbox recursed until the stack ran out),
 * graphile-worker's, and Postgres's. `pg_` names are reserved by Postgres.
 */
export const RESERVED_SCHEMAS: ReadonlySet<string> = new Set(['sfsync', 'graphile_worker', 'pg_catalog', 'information_schema', 'pg_toast']);

/** True when `schema` is reserved for sfsync, graphile-worker or Postgres. */
export function isReservedSchema(schema: string): boolean {
  return RESERVED_SCHEMAS.has(schema) || schema.startsWith('pg_');
}

/** Seconds of an interval the INTERVAL pattern accepts (`30 seconds`, `10 min`). */
export function intervalSeconds(text: string): number {
  const match = INTERVAL.exec(text.trim())!;
  const unit = match[3]!.toLowerCase();
  const key = unit.startsWith('ms') || unit.startsWith('milli') ? 'ms' : unit[0]!;
  return Number(`${match[1]}${match[2] ?? ''}`) * UNIT_SECONDS[key]!;
}

/** An interval between `min` and `max` seconds, e.g. pollInterval 1 second … 1 day. */
const interval = (what: string, min: number, max: number, example: string) =>
  z
    .string()
    .regex(INTERVAL, `${what} looks like "${example}"`)
    .refine(
      (v) => !INTERVAL.test(v.trim()) || (intervalSeconds(v) >= min && intervalSeconds(v) <= max),
      `${what} must be between ${describeSeconds(min)} and ${describeSeconds(max)}`,
    );

function describeSeconds(seconds: number): string {
  if (seconds === 0) return '0 seconds';
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

const apiName = (what: string) => z.string().regex(API_NAME, `${what} must be a Salesforce API name (letters, digits, underscores, ≤ 80 characters)`);

/** The zod schema of a mapping request; defaults are the mappings table's. */
export const mappingSpecSchema = z
  .object({
    /** The `sfsync.connections` row (bigint as a string). */
    connectionId: z.string().regex(/^\d+$/, 'connectionId must be the id of an sfsync.connections row'),
    /** Salesforce object API name, e.g. `Account`. */
    sobject: apiName('the object name'),
    /** Salesforce field API names; Id, SystemModstamp, IsDeleted and CreatedDate are implicit; compounds expand. */
    fields: z.array(apiName('every field name')).min(1, 'name at least one field'),
    /** `read_only` (Salesforce → Postgres) or `read_write` (both ways). Default `read_only`. */
    mode: z.enum(['read_only', 'read_write']).default('read_only'),
    /** External ID field used to upsert inserts idempotently (must be an externalId field). */
    externalIdField: apiName('externalIdField').optional(),
    /** SOQL WHERE limiting which records sync; parsed and re-rendered (row-filter.ts). */
    rowFilter: z.string().optional(),
    /** Postgres interval, e.g. `30 seconds` (default); 1 second … 1 day. */
    pollInterval: interval('pollInterval', 1, 86_400, '30 seconds').optional(),
    /** Postgres interval, e.g. `10 minutes` (default); 0 … 7 days. */
    driftDelay: interval('driftDelay', 0, 7 * 86_400, '10 minutes').optional(),
    /** Daily cap on this mapping's poll calls (Heroku Connect's `sf_max_daily_api_calls`); default none. */
    maxDailyApiCalls: z.number().int().positive().max(2_147_483_647).optional(),
    conflictPolicy: z.enum(['salesforce_wins', 'postgres_wins', 'newest_wins']).optional(),
    streaming: z.enum(['auto', 'cdc', 'pushtopic', 'off']).optional(),
    deleteMode: z.enum(['delete', 'mark']).optional(),
    /** `heroku-connect`: keep Heroku Connect's `_hc_lastop` and `_hc_err` columns maintained (adopted tables have it). Default: none. */
    compat: z.enum(['heroku-connect']).optional(),
    /** A Platform Event (`X__e`) whose events name records to fetch and apply now; with `eventField`. */
    event: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,76}__e$/, 'event must be a Platform Event API name ending in __e, e.g. Sync_Request__e')
      .optional(),
    /** The event's field holding the record Id (or several, separated by commas or spaces), e.g. `Record_Id__c`. */
    eventField: apiName('eventField').optional(),
    /** Schema of the table; default `salesforce`. Never sfsync's, graphile-worker's or Postgres's own. */
    schema: z
      .string()
      .regex(PG_NAME, 'schema must be lower-case letters, digits, underscores, ≤ 40 bytes')
      .refine((s) => !isReservedSchema(s), 'that schema belongs to sfsync, graphile-worker or Postgres; map into another schema (default salesforce)')
      .default('salesforce'),
    /** Table name; default the lower-cased object name. */
    table: z.string().regex(PG_NAME, 'table must be lower-case letters, digits, underscores, ≤ 40 bytes').optional(),
  })
  .strict();

/** A mapping request as given (defaults not applied). */
export type MappingSpecInput = z.input<typeof mappingSpecSchema>;
/** A validated mapping request: `table` resolved. */
export type MappingSpec = z.output<typeof mappingSpecSchema> & { table: string };

/** Validate a mapping request; throws SfsyncError MAPPING_INVALID with one line naming the fix. */
export function parseMappingSpec(input: MappingSpecInput): MappingSpec {
  const parsed = mappingSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || 'mapping';
    const value = issue.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k as string], input);
    const shown = typeof value === 'string' ? ` (got ${JSON.stringify(value.slice(0, 90))})` : '';
    throw new SfsyncError('MAPPING_INVALID', `Invalid mapping: ${key}${shown}: ${issue.message}; fix it and try again.`);
  }
  const spec = parsed.data;
  const table = spec.table ?? spec.sobject.toLowerCase();
  if (!PG_NAME.test(table)) {
    throw new SfsyncError(
      'MAPPING_INVALID',
      `Invalid mapping: the table name ${JSON.stringify(table)} derived from ${spec.sobject} is longer than 40 bytes; pass a shorter table name.`,
    );
  }
  if ((spec.event === undefined) !== (spec.eventField === undefined)) {
    throw new SfsyncError('MAPPING_INVALID', 'Invalid mapping: event and eventField go together; name the Platform Event and the field holding the record Id.');
  }
  // Parsed here for its syntax (before any login); planMapping checks its fields against describe.
  const rowFilter = spec.rowFilter === undefined ? undefined : parseRowFilter(spec.rowFilter, spec.sobject).soql;
  return { ...spec, table, ...(rowFilter === undefined ? {} : { rowFilter }) };
}
