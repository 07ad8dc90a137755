/**
 * Every name sfsync generates for a mapped table, quoted, in one place so the
 * plan, the removal and the tests agree. Table names are ≤ 40 bytes
 * (mapping-spec.ts), so the longest, `tg_<table>__capture_insert`, is ≤ 59 bytes.
 */
import pg from 'pg';

const { escapeIdentifier } = pg;

/** Generated identifiers of one mapped table, already quoted. */
export interface MappingNames {
  /** `"schema"."table"` */
  table: string;
  schema: string;
  /** `tg_<table>__capture`: the one row-level capture trigger (all three events) earlier sfsync versions installed; only ever dropped now. */
  captureTrigger: string;
  /** `tg_<table>__capture_insert`, `…_update`, `…_delete`: the capture triggers, one per event, each per statement. */
  insertTrigger: string;
  updateTrigger: string;
  deleteTrigger: string;
  /** `"schema"."tg_<table>__capture"`: the table's generated capture function, which all three call. */
  captureFunction: string;
  truncateTrigger: string;
  /** `tg_<table>__keep_id`: refuses an UPDATE that changes a row's id (an update is logged under the id it had). */
  keepIdTrigger: string;
  modstampIndex: string;
  /** `tg_<table>__hc_status`: the BEFORE trigger keeping Heroku Connect's status columns (compat 'heroku-connect' only). */
  compatTrigger: string;
  /** `"schema"."tg_<table>__hc_status"`: its function. */
  compatFunction: string;
  /** `"schema"."tg_<table>__drain_inserts"`: moves the table's logged inserts into the outbox (sql/templates/drain-function.sql). */
  drainFunction: string;
  /** `"schema"."tg_<table>__drain_updates"`: moves the table's logged updates into the outbox (sql/templates/drain-updates-function.sql). */
  drainUpdatesFunction: string;
  /** The same names unquoted and without the schema, as the catalogs (pg_trigger, pg_proc) hold them. */
  raw: RawNames;
}

/** Generated names as the catalogs hold them (the capture function has the name of the old row-level trigger, `captureTrigger`). */
export interface RawNames {
  captureTrigger: string;
  insertTrigger: string;
  updateTrigger: string;
  deleteTrigger: string;
  truncateTrigger: string;
  keepIdTrigger: string;
  modstampIndex: string;
  compatTrigger: string;
  drainFunction: string;
  drainUpdatesFunction: string;
}

/** The quoted names of `schema.table`'s generated objects; throws if one would exceed 63 bytes. */
export function mappingNames(schema: string, table: string): MappingNames {
  const raw: RawNames = {
    captureTrigger: `tg_${table}__capture`,
    insertTrigger: `tg_${table}__capture_insert`,
    updateTrigger: `tg_${table}__capture_update`,
    deleteTrigger: `tg_${table}__capture_delete`,
    truncateTrigger: `tg_${table}__truncate`,
    keepIdTrigger: `tg_${table}__keep_id`,
    modstampIndex: `${table}_systemmodstamp`,
    compatTrigger: `tg_${table}__hc_status`,
    drainFunction: `tg_${table}__drain_inserts`,
    drainUpdatesFunction: `tg_${table}__drain_updates`,
  };
  for (const name of Object.values(raw)) {
    if (Buffer.byteLength(name) > 63) throw new Error(`Generated name ${name} exceeds 63 bytes; use a shorter table name.`);
  }
  return {
    table: `${escapeIdentifier(schema)}.${escapeIdentifier(table)}`,
    schema: escapeIdentifier(schema),
    captureTrigger: escapeIdentifier(raw.captureTrigger),
    insertTrigger: escapeIdentifier(raw.insertTrigger),
    updateTrigger: escapeIdentifier(raw.updateTrigger),
    deleteTrigger: escapeIdentifier(raw.deleteTrigger),
    captureFunction: `${escapeIdentifier(schema)}.${escapeIdentifier(raw.captureTrigger)}`,
    truncateTrigger: escapeIdentifier(raw.truncateTrigger),
    keepIdTrigger: escapeIdentifier(raw.keepIdTrigger),
    modstampIndex: escapeIdentifier(raw.modstampIndex),
    compatTrigger: escapeIdentifier(raw.compatTrigger),
    compatFunction: `${escapeIdentifier(schema)}.${escapeIdentifier(raw.compatTrigger)}`,
    drainFunction: `${escapeIdentifier(schema)}.${escapeIdentifier(raw.drainFunction)}`,
    drainUpdatesFunction: `${escapeIdentifier(schema)}.${escapeIdentifier(raw.drainUpdatesFunction)}`,
    raw,
  };
}
