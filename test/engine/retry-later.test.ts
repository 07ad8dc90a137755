/**
 * A failed drift re-poll, reload or reconciliation queues itself again with a
 * back-off capped at a minute (jobs/retry-later.ts), in a real
 * graphile-worker: exactly one retry waits under the job key, with the retry
 * count in its payload, and graphile-worker's own (hours-long, finite)
 * retries of the failed run are off.
 */
import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_SCHEMA } from '../../src/db/migrate.js';
import type { EngineContext } from '../../src/jobs/context.js';
import { retryDelayMs, retryLaterOnFailure } from '../../src/jobs/retry-later.js';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import { waitFor } from '../support/wait-for.js';

let db: TestDatabase;
let utils: WorkerUtils;

beforeAll(async () => {
  db = await createTestDatabase();
  utils = await makeWorkerUtils({ connectionString: db.url, schema: WORKER_SCHEMA });
  await utils.migrate();
});
afterAll(async () => {
  await utils?.release();
  await db?.drop();
});

describe('retryDelayMs', () => {
  it('starts at 2 s, doubles, and never exceeds a minute', () => {
    expect([0, 1, 2, 3, 4, 5, 30].map(retryDelayMs)).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  });
});

describe('a failing drift job', () => {
  it('leaves exactly one retry under its key, due within the back-off, and no graphile-worker retry', async () => {
    const ctx = {
      addJob: async (name: string, payload: unknown, options: object) => void (await utils.addJob(name, payload, options)),
      logger: pino({ level: 'silent' }),
    } as unknown as EngineContext;
    let runs = 0;
    let runner: Runner | undefined;
    try {
      runner = await run({
        connectionString: db.url,
        schema: WORKER_SCHEMA,
        concurrency: 1,
        pollInterval: 200,
        noHandleSignals: true,
        logger: new Logger(() => () => undefined),
        taskList: {
          'sfsync:drift': async (payload) => {
            runs++;
            await retryLaterOnFailure(ctx, { task: 'sfsync:drift', payload: payload as { windowId: string }, jobKey: 'sfsync:drift:1' }, async () => {
              throw new Error('REQUEST_LIMIT_EXCEEDED');
            });
          },
        },
      });
      await utils.addJob('sfsync:drift', { windowId: '1' }, { jobKey: 'sfsync:drift:1', maxAttempts: 10 });
      await waitFor(async () => runs === 1 && (await jobs()).length === 2, { what: 'the first run to fail' });
      const [failed, retry] = await jobs();
      expect(failed).toMatchObject({ key: null, exhausted: true });
      expect(retry).toMatchObject({ key: 'sfsync:drift:1', attempts: 0, payload: { windowId: '1', retry: 1 } });
      expect(retry!.due_in_ms).toBeGreaterThan(0);
      expect(retry!.due_in_ms).toBeLessThanOrEqual(retryDelayMs(0));
      // It runs again by itself, and fails again: still one retry waiting, counting on.
      await waitFor(async () => runs === 2 && (await jobs()).some((j) => j.payload.retry === 2), { what: 'the second run', timeoutMs: 10_000 });
      expect((await jobs()).filter((j) => j.key === 'sfsync:drift:1')).toHaveLength(1);
    } finally {
      await runner?.stop();
    }
  });
});

async function jobs(): Promise<
  Array<{ key: string | null; attempts: number; exhausted: boolean; payload: { windowId: string; retry?: number }; due_in_ms: number }>
> {
  const pg = await import('pg');
  const client = new pg.default.Client(db.url);
  await client.connect();
  try {
    const { rows } = await client.query(
      `select key, attempts, attempts >= max_attempts as exhausted, payload, extract(epoch from run_at - now()) * 1000 as due_in_ms from ${WORKER_SCHEMA}._private_jobs order by id`,
    );
    return rows.map((r) => ({ ...r, due_in_ms: Number(r.due_in_ms) }));
  } finally {
    await client.end();
  }
}
