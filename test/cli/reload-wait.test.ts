/**
 * `reload --wait` follows a reload that the engine starts at once. The CLI
 * used to read the time in a second statement after queueing the job, so an
 * engine quick to start the reload gave it a window that began "before" the
 * request, and --wait watched until its timeout (a full `npm test` on 2 busy
 * cores hit it). Here the engine's part is played by hand: as soon as the job
 * is queued, a finished reload window is written, started when the job was.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCliWorld, parseJson, type CliWorld } from './cli-env.js';
import { waitFor } from '../support/wait-for.js';

let world: CliWorld;
beforeAll(async () => {
  world = await createCliWorld();
  parseJson(await world.sfsync(['connect', '--json']));
  parseJson(await world.sfsync(['map', 'Account', '--fields', 'Name', '--json']));
});
afterAll(async () => {
  await world?.close();
});

it('finds a reload the engine started the moment it was queued', async () => {
  const { rows } = await world.pool.query<{ id: string }>("select id::text from sfsync.mappings where sobject = 'Account'");
  const mappingId = rows[0]!.id;
  const key = `sfsync:reload:${mappingId}`;
  await world.pool.query('delete from graphile_worker._private_jobs where key = $1', [key]); // the initial load's job
  const reload = world.sfsync(['reload', 'Account', '--wait', '--json', '--timeout', '20']);
  let queuedAt: Date | undefined;
  await waitFor(
    async () => {
      const job = await world.pool.query<{ at: Date }>('select updated_at as at from graphile_worker._private_jobs where key = $1', [key]);
      queuedAt = job.rows[0]?.at;
      return queuedAt !== undefined;
    },
    { what: 'the reload job', timeoutMs: 20_000 },
  );
  await world.pool.query(
    `insert into sfsync.poll_windows (mapping_id, kind, lower, upper, started_at, finished_at, outcome, records_seen)
     values ($1, 'reload', 'epoch', now(), $2, now(), 'succeeded', 1)`,
    [mappingId, queuedAt],
  );
  const result = await reload;
  expect(parseJson<{ sobject: string; records: number }>(result)).toMatchObject({ sobject: 'Account', records: 1 });
});
