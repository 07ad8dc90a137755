/**
 * Echoes: a row inserted in Postgres is pushed by sfsync; its change comes
 * back (CDC event with changeOrigin client=sfsync, then the poll) and must
 * apply as a no-op: values untouched, never captured back into the outbox,
 * and once the Salesforce stamps are in, later polls do not update the row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, waitLoaded } from './inbound-helpers.js';

describe.each(['cometd', 'pubsub'] as const)('over %s', (streamingTransport) => {
  let h: SyncHarness;
  let mappingId: string;

  beforeAll(async () => {
    h = await startSyncHarness({ streamingTransport });
    mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Industry'], mode: 'read_write', streaming: 'auto' });
    await h.startEngine();
    await waitLoaded(h, mappingId);
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe('echo', () => {
    it('applies sfsync’s own change as a no-op and never captures it back', async () => {
      const { rows } = await h.pool.query<{ id: string }>("insert into salesforce.account (name, industry) values ('Echo', 'Energy') returning id::text");
      const id = rows[0]!.id;
      // Pushed, written back, then polled: the Salesforce stamps arrive on the row.
      const row = await waitFor(
        async () => {
          const r = (await h.pool.query('select sfid, name, industry, systemmodstamp, xmin::text as xmin from salesforce.account where id = $1', [id])).rows[0];
          return r?.sfid && r.systemmodstamp ? r : undefined;
        },
        { timeoutMs: 15_000, what: 'push + poll of the echo' },
      );
      expect(row).toMatchObject({ name: 'Echo', industry: 'Energy' });
      const watermark = async () =>
        ((await h.pool.query('select watermark from sfsync.mappings where id = $1', [mappingId])).rows[0].watermark as Date).getTime();
      const after = await watermark();
      await waitFor(async () => (await watermark()) > after + 1000, { timeoutMs: 10_000, what: 'two more primary windows' });
      const again = (await h.pool.query('select xmin::text as xmin from salesforce.account where id = $1', [id])).rows[0];
      expect(again.xmin).toBe(row.xmin);
      const outbox = await h.pool.query('select op from sfsync.outbox where record_id = $1 and mapping_id = $2', [id, mappingId]);
      expect(outbox.rows.map((r) => r.op)).toEqual(['insert']);
    });
  });
});
