/**
 * Conflicts: a record changed in Postgres (outbox row not yet pushed) and in
 * Salesforce before the next poll. Per field, fields changed on one side merge;
 * a field changed on both sides is decided by the mapping's policy and
 * recorded in sfsync.conflicts; when Salesforce wins, the pending outbox
 * change no longer carries that field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollScheduler } from '../../src/engine/poll-scheduler.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, rowOf, sfConnection, waitLoaded } from './inbound-helpers.js';

let h: SyncHarness;
let mappingId: string;

beforeAll(async () => {
  h = await startSyncHarness();
  mappingId = await mapObject(h, { sobject: 'Account', fields: ['Name', 'Industry', 'Phone'], mode: 'read_write' });
  // Polls only: without the outbox listener no push is queued, so Postgres changes stay pending.
  await h.startEngine({ components: [pollScheduler] });
  await waitLoaded(h, mappingId);
});
afterAll(async () => {
  await h?.stop();
});

type Policy = 'salesforce_wins' | 'postgres_wins' | 'newest_wins';

/** Both sides change Name; Postgres also changes Phone, Salesforce also Industry. `sfFirst` orders the two edits. */
async function conflict(policy: Policy, tag: string, sfFirst = false): Promise<{ row: Record<string, unknown>; sfid: string }> {
  const conn = await sfConnection(h);
  const sfid = ((await conn.sobject('Account').create({ Name: `Base ${tag}`, Industry: 'I0', Phone: 'P0' })) as { id: string }).id;
  await waitFor(() => rowOf(h, 'account', sfid), { what: 'the base record' });
  await h.pool.query("update sfsync.mappings set conflict_policy = $2, state = 'paused' where id = $1", [mappingId, policy]);
  const sfEdit = () => conn.sobject('Account').update({ Id: sfid, Name: `SF ${tag}`, Industry: `I-sf ${tag}` });
  const pgEdit = () => h.pool.query('update salesforce.account set name = $2, phone = $3 where sfid = $1', [sfid, `PG ${tag}`, `P-pg ${tag}`]);
  if (sfFirst) {
    await sfEdit();
    // newest_wins compares at whole seconds (Salesforce's precision) and gives a tie to Salesforce: edit Postgres in a later second.
    const nextSecond = Math.floor(Date.now() / 1000) * 1000 + 1000;
    await waitFor(() => Date.now() >= nextSecond, { what: 'the next second' });
    await pgEdit();
  } else {
    await pgEdit();
    await sfEdit();
  }
  await h.pool.query("update sfsync.mappings set state = 'active' where id = $1", [mappingId]);
  const row = await waitFor(
    async () => {
      const r = await rowOf(h, 'account', sfid);
      return r?.['industry'] === `I-sf ${tag}` ? r : undefined;
    },
    { timeoutMs: 10_000, what: 'the poll after both edits' },
  );
  expect(row['phone']).toBe(`P-pg ${tag}`); // changed in Postgres only: kept
  return { row, sfid };
}

async function conflictsOf(sfid: string) {
  const { rows } = await h.pool.query('select field, pg_value, sf_value, policy, decision from sfsync.conflicts where sfid = $1', [sfid]);
  return rows;
}

async function pendingChange(sfid: string): Promise<Record<string, unknown>> {
  const { rows } = await h.pool.query("select changed, state from sfsync.outbox where sfid = $1 and op = 'update' order by id desc limit 1", [sfid]);
  return rows[0];
}

describe('conflict policies', () => {
  it('salesforce_wins: Salesforce value applied, Postgres change loses the field', async () => {
    const { row, sfid } = await conflict('salesforce_wins', 'a');
    expect(row['name']).toBe('SF a');
    expect(await conflictsOf(sfid)).toEqual([{ field: 'Name', pg_value: 'PG a', sf_value: 'SF a', policy: 'salesforce_wins', decision: 'salesforce' }]);
    expect((await pendingChange(sfid))['changed']).toEqual({ Phone: 'P-pg a' });
  });

  it('postgres_wins: Postgres value kept and still pending', async () => {
    const { row, sfid } = await conflict('postgres_wins', 'b');
    expect(row['name']).toBe('PG b');
    expect(await conflictsOf(sfid)).toEqual([{ field: 'Name', pg_value: 'PG b', sf_value: 'SF b', policy: 'postgres_wins', decision: 'postgres' }]);
    expect((await pendingChange(sfid))['changed']).toEqual({ Name: 'PG b', Phone: 'P-pg b' });
  });

  it('records a decision once when a poll sees the same Salesforce version again', async () => {
    const { sfid } = await conflict('postgres_wins', 'e');
    expect(await conflictsOf(sfid)).toHaveLength(1);
    // Rewind the watermark before the record's stamp: the next poll reads the same version again,
    // as a drift re-poll does, while the Postgres change is still unsent.
    const { rows } = await h.pool.query<{ stamp: Date }>('select systemmodstamp as stamp from salesforce.account where sfid = $1', [sfid]);
    const rewound = new Date(rows[0]!.stamp.getTime() - 60_000);
    await h.pool.query('update sfsync.mappings set watermark = $2 where id = $1', [mappingId, rewound]);
    await waitFor(
      async () =>
        (
          await h.pool.query(
            "select 1 from sfsync.poll_windows where mapping_id = $1 and kind = 'primary' and lower <= $2 and outcome = 'succeeded' and records_seen > 0",
            [mappingId, rewound],
          )
        ).rowCount! > 0,
      { timeoutMs: 15_000, what: 'a poll over the same version again' },
    );
    expect(await conflictsOf(sfid)).toEqual([{ field: 'Name', pg_value: 'PG e', sf_value: 'SF e', policy: 'postgres_wins', decision: 'postgres' }]);
  });

  it('an app write committed while the apply waits for its row is decided as a conflict, not overwritten', async () => {
    const conn = await sfConnection(h);
    const sfid = ((await conn.sobject('Account').create({ Name: 'Base f', Industry: 'I0', Phone: 'P0' })) as { id: string }).id;
    await waitFor(() => rowOf(h, 'account', sfid), { what: 'the base record' });
    await h.pool.query("update sfsync.mappings set conflict_policy = 'salesforce_wins', state = 'paused' where id = $1", [mappingId]);
    await conn.sobject('Account').update({ Id: sfid, Name: 'SF f' });
    // The app changes the row and holds its transaction open while the poll applies the record.
    const app = await h.pool.connect();
    try {
      await app.query('begin');
      await app.query('update salesforce.account set name = $2 where sfid = $1', [sfid, 'PG f']);
      const pid = (await app.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      await h.pool.query("update sfsync.mappings set state = 'active' where id = $1", [mappingId]);
      await waitFor(async () => ((await h.pool.query('select 1 from pg_stat_activity where $1 = any (pg_blocking_pids(pid))', [pid])).rowCount ?? 0) > 0, {
        timeoutMs: 10_000,
        what: "the apply waiting for the app's row",
      });
      await app.query('commit');
    } catch (error) {
      await app.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      app.release();
    }
    await waitFor(async () => (await rowOf(h, 'account', sfid))?.['name'] === 'SF f', { timeoutMs: 10_000, what: 'the apply' });
    expect(await conflictsOf(sfid)).toEqual([{ field: 'Name', pg_value: 'PG f', sf_value: 'SF f', policy: 'salesforce_wins', decision: 'salesforce' }]);
    expect(await pendingChange(sfid)).toMatchObject({ state: 'ignored', changed: {} });
  });

  it('newest_wins: the later edit wins, either way round', async () => {
    const later = await conflict('newest_wins', 'c');
    expect(later.row['name']).toBe('SF c');
    expect((await conflictsOf(later.sfid))[0]).toMatchObject({ decision: 'salesforce', policy: 'newest_wins' });
    const earlier = await conflict('newest_wins', 'd', true);
    expect(earlier.row['name']).toBe('PG d');
    expect((await conflictsOf(earlier.sfid))[0]).toMatchObject({ decision: 'postgres', policy: 'newest_wins' });
  });
});
