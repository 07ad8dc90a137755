/**
 * Children failed with PARENT_FAILED whose parent row has an sfid by now, by
 * whatever path it came (its own push, a poll matching it by External ID, a
 * reload): retry them (sfsync.retry_all_orphans, through retry_failed, which
 * notifies the engine; missing_ok, as a concurrent retry may settle some first). The
 * push write-back heals at once the children of the parents it inserts
 * (write-back.ts, settleChildren); this sweep, run by the
 * outbox-listener component with each outbox sweep, catches every other way,
 * and any child marked failed just as its parent's sfid arrived.
 */
import type pg from 'pg';
import { retryAllOrphans } from '../outbox/outbox.js';

/** Retry the PARENT_FAILED changes whose parent now has an sfid (sfsync.retry_all_orphans); returns how many. */
export async function healOrphans(db: pg.Pool | pg.ClientBase): Promise<number> {
  return retryAllOrphans(db);
}
