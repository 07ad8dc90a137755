/**
 * Helpers of the read-path engine tests: map an object through the real
 * mapping module, wait for its load, read rows.
 */
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import { withClient } from '../../src/db/pool.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import type { MappingSpecInput } from '../../src/mapping/mapping-spec.js';
import { EMULATOR_LOGIN, startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
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
  await waitFor(
    async () => {
      const { rows } = await h.pool.query<{ state: string; watermark: Date | null }>('select state, watermark from sfsync.mappings where id = $1', [mappingId]);
      return rows[0]?.state === 'active' && rows[0].watermark !== null;
    },
    { timeoutMs, what: `mapping ${mappingId} loaded` },
  );
}

/**
 * A logged-in jsforce connection to the harness emulator acting as a Salesforce
 * user: no `Sforce-Call-Options: client=sfsync`, so its changes are not echoes.
 */
export async function sfConnection(h: SyncHarness): Promise<Connection> {
  const conn = new jsforce.Connection({
    loginUrl: h.emulator.url,
    version: '59.0',
    oauth2: { clientId: EMULATOR_LOGIN.clientId, clientSecret: EMULATOR_LOGIN.clientSecret, loginUrl: h.emulator.url },
    callOptions: { client: 'someone-else' },
  });
  await conn.login(EMULATOR_LOGIN.username, EMULATOR_LOGIN.password);
  return conn;
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

/**
 * A harness streaming Account changes: the poll interval is an hour, so only a
 * streaming event brings a change in time. Resolves once subscribed.
 * SFSYNC_TEST_LOG=1 turns on debug logs.
 */
export async function startStreamingHarness(streamingTransport: 'cometd' | 'pubsub' = 'cometd'): Promise<SyncHarness> {
  const h = await startSyncHarness({ streamingTransport, ...(process.env.SFSYNC_TEST_LOG ? { config: { logLevel: 'debug' as const } } : {}) });
  const mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name'], pollInterval: '1 hour', streaming: 'auto' });
  await h.startEngine();
  await waitLoaded(h, mappingId);
  await waitFor(async () => (await h.pool.query('select 1 from sfsync.stream_state')).rowCount !== 0, { what: 'the subscription' });
  return h;
}
