/**
 * The change feed and a re-insert: an insert Salesforce refused for good
 * (failed), then fixed by the app with an update, goes to Salesforce as an
 * insert of every current value (outbound/round.ts `reinsertValues`). The
 * feed must hold the record's values then, not only the update's field:
 * before, its entry was an update of the one field the fix changed, and a
 * reader never saw the record created (sfsync.record_reinsert, migration 8).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ack, foldEntries, read, subscribe, type FeedEntry } from '../../src/feed/feed.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness({
    config: { feed: { enabled: true } },
    emulator: {
      schema: { validationRules: { Account: [{ name: 'NoNegative', errorWhen: 'NumberOfEmployees < 0', message: 'Employees must not be negative' }] } },
    },
  });
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Phone', 'NumberOfEmployees'], mode: 'read_write' });
  await h.startEngine();
  await waitLoaded(h, mappingId);
});
afterAll(() => h?.stop());

async function drain(subscriber: string): Promise<FeedEntry[]> {
  const all: FeedEntry[] = [];
  for (;;) {
    const batch = await read(h.pool, subscriber, 100);
    if (batch.length === 0) return all;
    all.push(...batch);
    await ack(h.pool, subscriber, batch.at(-1)!.position);
  }
}

describe('a re-insert after a failed insert', () => {
  it('puts the values it sent in the feed', async () => {
    await subscribe(h.pool, 'reinsert');
    const { rows } = await h.pool.query<{ id: string }>(
      `insert into salesforce.account (name, phone, numberofemployees) values ('Refused', '555-0199', -1) returning id::text`,
    );
    const id = rows[0]!.id;
    await waitFor(async () => (await h.pool.query(`select 1 from salesforce.account where id = $1 and _sfsync_state = 'failed'`, [id])).rowCount === 1, {
      what: 'the insert to fail',
    });
    await h.pool.query(`update salesforce.account set numberofemployees = 3 where id = $1`, [id]);
    await waitFor(async () => (await h.pool.query(`select 1 from salesforce.account where id = $1 and _sfsync_state = 'synced'`, [id])).rowCount === 1, {
      what: 'the re-insert to sync',
    });
    const entries: FeedEntry[] = [];
    await waitFor(
      async () => {
        entries.push(...(await drain('reinsert')));
        return entries.some((e) => e.recordId === id && e.direction === 'outbound');
      },
      { what: 'the outbound entry' },
    );
    const folded = foldEntries(entries.filter((x) => x.recordId === id));
    expect(folded).toEqual({ Name: 'Refused', Phone: '555-0199', NumberOfEmployees: 3 });
    // It is one insert: the failed insert's values are in it, and the feed never had the refused one.
    expect(entries.filter((e) => e.recordId === id).map((e) => `${e.direction}:${e.op}`)[0]).toBe('outbound:insert');
  });
});
