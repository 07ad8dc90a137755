/**
 * What each side holds, read the way an outsider can: SQL on the mapped
 * tables, and the emulator's control API for Salesforce (every record, deleted
 * ones included). Of the engine's own tables only the outbox is read, and only
 * for two facts: changes still open (new/pending) and changes that failed
 * (with Salesforce's error code).
 */
import type pg from 'pg';
import type { EmulatorControl, EmulatorRecord } from './emulator-control.js';
import type { SoakObject } from './ledger.js';
import { TABLES } from './record-pool.js';

/** A compared field: its Salesforce name, its column, and how values compare. */
export interface ComparedField {
  field: string;
  column: string;
  kind: 'text' | 'number';
}

/** The mapped fields compared on both sides (the tag field is compared by grouping). */
export const COMPARED_FIELDS: Record<SoakObject, ComparedField[]> = {
  Account: [
    { field: 'AnnualRevenue', column: 'annualrevenue', kind: 'number' },
    { field: 'Description', column: 'description', kind: 'text' },
  ],
  Contact: [
    { field: 'FirstName', column: 'firstname', kind: 'text' },
    { field: 'Email', column: 'email', kind: 'text' },
    { field: 'AccountId', column: 'accountid', kind: 'text' },
    { field: 'Ext_Id__c', column: 'ext_id__c', kind: 'text' },
  ],
};

/** A table row. */
export interface PgRow {
  id: string;
  sfid: string | null;
  tag: string;
  systemmodstamp: string | null;
  values: Record<string, unknown>;
}

/** A change Salesforce refused for good. */
export interface FailedChange {
  id: string;
  object: string;
  recordId: string;
  sfid: string | null;
  op: string;
  code: string;
}

/** A change still waiting (new) or in flight (pending). */
export interface OpenChange {
  object: string;
  recordId: string;
  sfid: string | null;
  op: string;
  state: string;
  attempts: number;
  code: string | null;
}

/** Both sides at one moment (read one after the other; quiet by then). */
export interface Snapshot {
  pg: Record<SoakObject, PgRow[]>;
  sf: Record<SoakObject, EmulatorRecord[]>;
  /** Open outbox rows, counted before and after the tables were read (both must be 0 to converge). */
  openBefore: number;
  openAfter: number;
  open: OpenChange[];
  failed: FailedChange[];
}

/** Open outbox rows, and changes still in the capture logs (sfsync.outbox_logged), oldest first. */
const OPEN_SQL = `select m.sobject as object, o.record_id::text as "recordId", o.sfid, o.op, o.state, o.attempts, o.error ->> 'code' as code
  from (select id, mapping_id, record_id, sfid, op::text, state::text, attempts, error from sfsync.outbox where state in ('new', 'claimed')
        union all
        select id, mapping_id, record_id, null, op::text, 'logged', 0, null from sfsync.outbox_logged) o
  join sfsync.mappings m on m.id = o.mapping_id order by o.id limit 20`;
const FAILED_SQL = `select o.id::text, m.sobject as object, o.record_id::text as "recordId", o.sfid, o.op, coalesce(o.error ->> 'code', '?') as code
  from sfsync.outbox o join sfsync.mappings m on m.id = o.mapping_id where o.state = 'failed' order by o.id`;

/** Count of open outbox rows (new or claimed) and of changes still in the capture logs. */
export async function openChanges(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select ((select count(*) from sfsync.outbox where state in ('new', 'claimed')) + (select count(*) from sfsync.outbox_logged))::int as n`,
  );
  return rows[0]!.n;
}

/** Read both sides. */
export async function takeSnapshot(db: pg.Pool, control: EmulatorControl): Promise<Snapshot> {
  const openBefore = await openChanges(db);
  const pgRows = { Account: await readTable(db, 'Account'), Contact: await readTable(db, 'Contact') };
  const sf = { Account: await control.records('Account', true), Contact: await control.records('Contact', true) };
  const openAfter = await openChanges(db);
  const open = (await db.query<OpenChange>(OPEN_SQL)).rows;
  const failed = (await db.query<FailedChange>(FAILED_SQL)).rows;
  return { pg: pgRows, sf, openBefore, openAfter, open, failed };
}

async function readTable(db: pg.Pool, object: SoakObject): Promise<PgRow[]> {
  const { table, tagColumn } = TABLES[object];
  const columns = COMPARED_FIELDS[object].map((f) => f.column).join(', ');
  const sql = `select id::text, sfid, ${tagColumn} as tag, systemmodstamp::text, ${columns} from ${table} order by id`;
  const { rows } = await db.query<Record<string, unknown>>(sql);
  return rows.map((r) => ({
    id: String(r.id),
    sfid: (r.sfid as string | null) ?? null,
    tag: String(r.tag),
    systemmodstamp: (r.systemmodstamp as string | null) ?? null,
    values: Object.fromEntries(COMPARED_FIELDS[object].map((f) => [f.field, r[f.column]])),
  }));
}
