/**
 * The replayId hand-off between the stream subscriber and the poll (migration
 * 9): the subscriber writes the newest received id as `pending_replay_id`; a
 * poll reads it BEFORE querying and, once its window has committed, promotes
 * exactly that value to `replay_id` — the id a restart resumes from.
 */
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
import type pg from 'pg';

/** The PushTopic sfsync creates for an object (`sfsync_<Object>`, cut to Salesforce's 25 characters). */
export function pushTopicName(sobject: string): string {
  return `sfsync_${sobject}`.slice(0, 25);
}

/** The CDC channel of an object: `/data/AccountChangeEvent`, `/data/Employee__ChangeEvent`. */
export function cdcChannel(sobject: string): string {
  return `/data/${sobject.endsWith('__c') ? `${sobject.slice(0, -3)}__ChangeEvent` : `${sobject}ChangeEvent`}`;
}

/** The channels a mapping may be subscribed on (CDC and PushTopic). */
export function mappingChannels(sobject: string): string[] {
  return [cdcChannel(sobject), `/topic/${pushTopicName(sobject)}`];
}

/** Pending replay ids of a mapping's channels, read before a poll queries. */
export async function readPendingReplay(pool: pg.Pool, connectionId: string, sobject: string): Promise<Array<{ channel: string; replayId: string }>> {
  const rows = await run(
    pool,
    sfsync
      .selectFrom('stream_state')
      .select(['channel', sql<string>`pending_replay_id::text`.as('replay_id')])
      .where('connection_id', '=', connectionId)
      .where('channel', 'in', mappingChannels(sobject))
      .where('pending_replay_id', 'is not', null),
  );
  return rows.map((r) => ({ channel: r.channel, replayId: r.replay_id }));
}

/** Promote the pending ids read before the poll (the poll has committed). */
export async function promoteReplay(pool: pg.Pool, connectionId: string, pending: ReadonlyArray<{ channel: string; replayId: string }>): Promise<void> {
  for (const p of pending) {
    await run(
      pool,
      sfsync
        .updateTable('stream_state')
        .set({
          replay_id: sql<string>`${p.replayId}::bigint`,
          updated_at: sql<Date>`now()`,
          pending_replay_id: sql<string | null>`case when pending_replay_id = ${p.replayId}::bigint then null else pending_replay_id end`,
        })
        .where('connection_id', '=', connectionId)
        .where('channel', '=', p.channel)
        .where((eb) => eb.or([eb('replay_id', 'is', null), eb('replay_id', '<', sql<string>`${p.replayId}::bigint`)])),
    );
  }
}

/** Record a received event's replay id as pending (the subscriber). */
export async function recordPendingReplay(pool: pg.Pool, connectionId: string, channel: string, replayId: number): Promise<void> {
  await run(
    pool,
    sfsync
      .insertInto('stream_state')
      .values({ connection_id: connectionId, channel, pending_replay_id: String(replayId), pending_at: sql<Date>`now()` })
      .onConflict((oc) =>
        oc.columns(['connection_id', 'channel']).doUpdateSet({
          pending_replay_id: sql<string>`greatest(stream_state.pending_replay_id, excluded.pending_replay_id)`,
          pending_at: sql<Date>`now()`,
        }),
      ),
  );
}
