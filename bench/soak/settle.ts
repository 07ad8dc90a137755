/**
 * Writes whose outcome the workload could not see (no reply, a lost COMMIT
 * that never got verified) are settled once the faults have stopped, by
 * looking the record up by its tag (creates) or Id (deletes): in Salesforce
 * through the control API, in Postgres by SQL. The oracle then expects
 * exactly what happened.
 */
import type pg from 'pg';
import type { EmulatorControl, EmulatorRecord } from './emulator-control.js';
import type { Ledger, SoakObject } from './ledger.js';
import { TABLES } from './record-pool.js';

/** Settle every unknown outcome; returns how many entries were settled, by verdict. */
export async function settleUnknowns(
  ledger: Ledger,
  db: pg.Pool,
  control: EmulatorControl,
): Promise<{ created: number; notCreated: number; deleted: number; notDeleted: number }> {
  const counts = { created: 0, notCreated: 0, deleted: 0, notDeleted: 0 };
  const unsettled = ledger.unsettled();
  if (unsettled.length === 0) return counts;
  const sf = new Map<SoakObject, EmulatorRecord[]>();
  for (const object of ['Account', 'Contact'] as const) sf.set(object, await control.records(object, true));
  for (const entry of unsettled) {
    const { table, tagColumn, tagField } = TABLES[entry.object];
    const records = sf.get(entry.object)!;
    if (entry.created === 'unknown') {
      const inSf = records.some((r) => r[tagField] === entry.tag);
      const inPg = !inSf && (await db.query(`select 1 from ${table} where ${tagColumn} = $1`, [entry.tag])).rowCount! > 0;
      if (inSf || inPg) {
        ledger.created(entry.tag);
        counts.created++;
      } else {
        ledger.notCreated(entry.tag);
        counts.notCreated++;
      }
    }
    if (entry.deleteUnknown !== undefined) {
      const record = records.find((r) => r.Id === entry.deleteUnknown);
      if (record === undefined || record.IsDeleted) {
        ledger.deleted(entry.tag, 'sf', { sfid: entry.deleteUnknown });
        counts.deleted++;
      } else {
        delete entry.deleteUnknown;
        counts.notDeleted++;
      }
    }
  }
  return counts;
}
