/**
 * Helpers of the read-path engine tests: map an object through the real
 * mapping module, wait for its load, read rows.
 */
import type { Connection } from 'jsforce';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import type { MappingSpecInput } from '../../src/mapping/mapping-spec.js';
import type { SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

/** Map `sobject` (defaults: fast polls, short drift) and return the mapping id. */
export async function mapObject(h: SyncHarness, spec: Omit<MappingSpecInput, 'connectionId'>): Promise<string> {
  const sf = await h.salesforce();
  const plan = await withClient(h.pool, (client) =>
    applyMapping(client, sf, { pollInterval: '1 second', driftDelay: '1 second', streaming: 'off', ...spec, connectionId: h.connectionId } as MappingSpecInput),
  );
  return plan.mappingId;
}

/** Wait until the mapping's load committed (state active, watermark set). */
export async function waitLoaded(h: SyncHarness, mappingId: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => {
    const { rows } = await h.pool.query<{ state: string; watermark: Date | null }>('select state, watermark from sfsync.mappings where id = $1', [mappingId]);
    return rows[0]?.state === 'active' && rows[0].watermark !== null;
  }, { timeoutMs, what: `mapping ${mappingId} loaded` });
}

/** A logged-in jsforce connection to the harness emulator (for writes in tests). */
export async function sfConnection(h: SyncHarness): Promise<Connection> {
  return (await h.salesforce()).conn;
}

/** Rows of `table` keyed by sfid. */
export async function rowsBySfid(h: SyncHarness, table: string, columns = '*'): Promise<Map<string, Record<string, unknown>>> {
  const { rows } = await h.pool.query<Record<string, unknown>>(`select ${columns} from salesforce.${table}`);
  return new Map(rows.map((r) => [String(r['sfid']), r]));
}

/** One row by sfid, or undefined. */
export async function rowOf(h: SyncHarness, table: string, sfid: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await h.pool.query<Record<string, unknown>>(`select * from salesforce.${table} where sfid = $1`, [sfid]);
  return rows[0];
}
