/**
 * An engine killed while it runs a poll leaves that job, and the mapping's
 * named poll queue, locked by its graphile-worker pool. graphile-worker frees
 * such locks only after 4 hours. A new engine must see that the dead
 * engine's session is gone and unlock at once (sfsync.engines, docs/schema.md;
 * engine/dead-engines.ts). Note: in this scenario polls also resumed without
 * the unlock (the re-seeded poll job replaced the locked one); what fails
 * without the fix is the unlock and the dead engine's bookkeeping.
 */
import { describe, expect, it } from 'vitest';
import { seedRecords } from 'salesforce-emulator';
import { useEngineProcess } from '../support/engine-process.js';
import type { SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';
import { mapObject, waitLoaded } from './inbound-helpers.js';

const fixture = useEngineProcess('dead-engine');

const lockedPolls = async (harness: SyncHarness) =>
  (
    await harness.pool.query<{ locked_by: string }>(
      "select locked_by from graphile_worker.jobs where task_identifier = 'sfsync:poll' and locked_by is not null",
    )
  ).rows;

/** A read_only mapping polled every second by a child engine process; its worker pool id once it registered. */
async function startPollingChild() {
  const harness = fixture.harness();
  seedRecords(harness.emulator.org, 'Account', 20);
  const mappingId = await mapObject(harness, { sobject: 'Account', fields: ['Name'], mode: 'read_only', pollInterval: '1 second', streaming: 'off' });
  const child = fixture.startEngine();
  await waitLoaded(harness, mappingId, 30_000);
  const registered = await waitFor(async () => (await harness.pool.query<{ worker_pool_id: string }>('select worker_pool_id from sfsync.engines')).rows[0], {
    what: `the child engine's registration\n${child.output()}`,
  });
  return { harness, mappingId, child, poolId: registered.worker_pool_id };
}

/**
 * Kill the child while it runs a poll, start another engine, and see a poll
 * finish after the kill with no poll job left locked by the child's pool.
 * Without the unlock, the queue stays locked by the dead pool for 4 hours.
 */
async function killMidPollThenRecover(harness: SyncHarness, child: ReturnType<typeof fixture.startEngine>, mappingId: string, poolId: string): Promise<void> {
  // Every Salesforce call now takes 4 s: the child's next poll is in flight for a while.
  harness.emulator.org.setControls({ latency: { minMs: 4000, maxMs: 4000 } });
  await waitFor(async () => (await lockedPolls(harness)).find((j) => j.locked_by === poolId), {
    what: 'the child to be running a poll',
    timeoutMs: 15_000,
  });
  await child.kill();
  const killedAt = (await harness.pool.query<{ now: Date }>('select now()')).rows[0]!.now;
  harness.emulator.org.setControls({ latency: { minMs: 0, maxMs: 0 } });

  await harness.startEngine();
  await waitFor(
    async () =>
      (
        await harness.pool.query(
          "select 1 from sfsync.poll_windows where mapping_id = $1 and kind = 'primary' and outcome = 'succeeded' and finished_at > $2",
          [mappingId, killedAt],
        )
      ).rowCount! > 0,
    { what: 'a poll to finish after the kill', timeoutMs: 20_000 },
  );
  expect((await lockedPolls(harness)).filter((j) => j.locked_by === poolId)).toEqual([]);
}

describe('an engine killed in the middle of a poll', () => {
  it('does not leave the mapping without polls: the next engine unlocks its jobs and queue', async () => {
    const { harness, mappingId, child, poolId } = await startPollingChild();

    await killMidPollThenRecover(harness, child, mappingId, poolId);
    const dead = await harness.pool.query('select 1 from sfsync.engines where worker_pool_id = $1', [poolId]);
    expect(dead.rowCount).toBe(0);
  }, 60_000);
});

/**
 * A Postgres restart ends every engine's registration session while the
 * engines live on. Each must register again: the first sweep after the
 * restart forgets every engine whose session is gone, and an engine killed
 * later, mid-poll, then left its mapping's poll queue locked for 4 hours (the
 * soak's last-second Salesforce changes never arrived). Terminating the
 * child's registration backend is that restart, for one engine.
 */
describe('an engine whose registration session ended (Postgres restart), killed later in the middle of a poll', () => {
  it('registers again, so the next engine still unlocks its jobs and queue', async () => {
    const { harness, mappingId, child, poolId } = await startPollingChild();
    const terminated = await harness.pool.query('select pg_terminate_backend(pid) from sfsync.engines where worker_pool_id = $1', [poolId]);
    expect(terminated.rowCount).toBe(1);

    // Another engine sweeps at start: the child's row is dead now, or already registered again.
    const sweeper = await harness.startEngine();
    harness.engines.splice(harness.engines.indexOf(sweeper), 1);
    await sweeper.stop();
    await waitFor(
      async () =>
        (
          await harness.pool.query(
            'select 1 from sfsync.engines where worker_pool_id = $1 and worker_pool_id not in (select worker_pool_id from sfsync.dead_engines)',
            [poolId],
          )
        ).rowCount === 1,
      { what: `the child to register again on a live session\n${child.output()}`, timeoutMs: 15_000 },
    );

    await killMidPollThenRecover(harness, child, mappingId, poolId);
  }, 90_000);
});

/** A job of `task` in `queue` (no engine runs either), it and its queue locked by `lockedBy` 3 minutes ago. */
async function lockedLongAgo(harness: SyncHarness, task: string, queue: string, lockedBy: string) {
  const { rows } = await harness.pool.query<{ id: string }>('select (graphile_worker.add_job($1, $2::json, queue_name := $3)).id', [task, '{}', queue]);
  await harness.pool.query("update graphile_worker._private_jobs set locked_by = $1, locked_at = now() - interval '3 minutes' where id = $2", [
    lockedBy,
    rows[0]!.id,
  ]);
  await harness.pool.query("update graphile_worker._private_job_queues set locked_by = $1, locked_at = now() - interval '3 minutes' where queue_name = $2", [
    lockedBy,
    queue,
  ]);
  return { jobId: rows[0]!.id, queue, lockedBy };
}

/** Whether that job and its queue are still locked by the same pool. */
async function stillLocked(harness: SyncHarness, p: { jobId: string; queue: string; lockedBy: string }) {
  const { rows } = await harness.pool.query<{ job: boolean; queue: boolean }>(
    `select exists (select 1 from graphile_worker._private_jobs where id = $1 and locked_by = $3) as job,
            exists (select 1 from graphile_worker._private_job_queues where queue_name = $2 and locked_by = $3) as queue`,
    [p.jobId, p.queue, p.lockedBy],
  );
  return rows[0];
}

/**
 * An engine starts its worker pool, then registers it: killed in between, it
 * leaves a job and its queue locked by a pool no row names, which no
 * dead-engine row can free. The sweep frees such locks once the newest is
 * older than the grace (2 minutes), and leaves a younger one alone (a live
 * engine still registering), and never touches a registered engine's or
 * another application's locks. The child is killed mid-poll and its row
 * deleted, as if it had died before registering; ageing its locks stands in
 * for 2 minutes passing.
 */
describe('an engine killed after its worker pool took a job but before it registered', () => {
  it('has its job and queue unlocked by the sweep once the lock is older than the grace, and not before', async () => {
    const { harness, child, poolId } = await startPollingChild();
    harness.emulator.org.setControls({ latency: { minMs: 4000, maxMs: 4000 } });
    await waitFor(async () => (await lockedPolls(harness)).find((j) => j.locked_by === poolId), { what: 'the child to be running a poll', timeoutMs: 15_000 });
    await child.kill();
    harness.emulator.org.setControls({ latency: { minMs: 0, maxMs: 0 } });
    await harness.pool.query('delete from sfsync.engines where worker_pool_id = $1', [poolId]);
    const held = async () =>
      (
        await harness.pool.query<{ jobs: number; queues: number }>(
          `select (select count(*)::int from graphile_worker._private_jobs where locked_by = $1) as jobs,
                  (select count(*)::int from graphile_worker._private_job_queues where locked_by = $1) as queues`,
          [poolId],
        )
      ).rows[0]!;
    const before = await held();
    expect(before.jobs).toBeGreaterThan(0);
    expect(before.queues).toBeGreaterThan(0);

    // Fresh: the sweep at an engine's start leaves it locked.
    await harness.startEngine();
    expect(await held()).toEqual(before);

    // Never freed however old: a registered engine's locks, and another application's (sharing the graphile_worker schema).
    const livePoolId = (await harness.pool.query<{ worker_pool_id: string }>('select worker_pool_id from sfsync.engines')).rows.map((r) => r.worker_pool_id);
    expect(livePoolId).toHaveLength(1);
    const parked = [
      await lockedLongAgo(harness, 'sfsync:test-parked', 'sfsync:test-parked', livePoolId[0]!),
      await lockedLongAgo(harness, 'other-app:job', 'other-app', 'pool-of-another-app'),
    ];

    // Older than the grace: the next sweep (another engine's start) frees the dead pool's job and queue.
    await harness.pool.query("update graphile_worker._private_jobs set locked_at = now() - interval '3 minutes' where locked_by = $1", [poolId]);
    await harness.pool.query("update graphile_worker._private_job_queues set locked_at = now() - interval '3 minutes' where locked_by = $1", [poolId]);
    await harness.startEngine();
    expect(await held()).toEqual({ jobs: 0, queues: 0 });
    for (const p of parked) expect(await stillLocked(harness, p)).toEqual({ job: true, queue: true });
  }, 90_000);
});
