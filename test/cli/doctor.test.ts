/**
 * `sfsync doctor` against a cloned database and the emulator: clean when all
 * is as it should be; each thing broken by hand shows up as its own finding
 * with a fix, and `--fix` repairs the capture triggers and dead engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/cli/doctor/finding.js';
import { createCliWorld, type CliWorld } from './cli-env.js';

let world: CliWorld;
beforeAll(async () => {
  world = await createCliWorld();
  expect((await world.sfsync(['connect'])).code).toBe(0);
  const mapped = await world.sfsync(['map', 'Account', '--fields', 'Name,Industry', '--mode', 'read_write']);
  expect(mapped.code, mapped.stderr).toBe(0);
});
afterAll(async () => {
  await world?.close();
});

async function doctor(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; findings: Finding[] }> {
  const result = await world.sfsync(['doctor', '--json', ...args], env);
  expect(result.stderr).toBe('');
  const { findings } = JSON.parse(result.stdout) as { findings: Finding[] };
  return { code: result.code, findings };
}

function problems(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.status !== 'ok');
}

describe('sfsync doctor', () => {
  it('finds nothing wrong in a healthy install, and prints one line per finding', async () => {
    const { code, findings } = await doctor();
    expect(problems(findings)).toEqual([]);
    expect(code).toBe(0);
    expect(findings.map((f) => f.check)).toEqual(
      expect.arrayContaining([
        'schema',
        'worker-schema',
        'max-connections',
        'wal-level',
        'capture-trigger',
        'dead-engines',
        'login',
        'api-budget',
        'clock-skew',
      ]),
    );
    const text = await world.sfsync(['doctor']);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n')).toHaveLength(findings.length);
  });

  it.each([
    ['disabled', 'alter table salesforce.account disable trigger tg_account__capture_update', /tg_account__capture_update is disabled/],
    ['missing', 'drop trigger tg_account__truncate on salesforce.account', /tg_account__truncate is missing/],
    [
      'stale',
      `create or replace function salesforce.tg_account__capture() returns trigger language plpgsql as $$ begin return null; end $$`,
      /tg_account__capture\(\) is stale/,
    ],
    [
      'row-level (older sfsync)',
      `drop trigger tg_account__capture_insert on salesforce.account; drop trigger tg_account__capture_update on salesforce.account;
       drop trigger tg_account__capture_delete on salesforce.account;
       create or replace function salesforce.tg_account__capture() returns trigger language plpgsql as $$ begin return null; end $$;
       create trigger tg_account__capture after insert or update or delete on salesforce.account for each row execute function salesforce.tg_account__capture()`,
      /trigger tg_account__capture is stale \(the row-level capture of an older sfsync/,
    ],
    ['drain function missing', 'drop function salesforce.tg_account__drain_inserts(bigint[])', /tg_account__drain_inserts\(\) is missing/],
    [
      'update drain missing (with an update logged)',
      `insert into salesforce.account (name) values ('Logged'); update salesforce.account set industry = 'Energy' where name = 'Logged';
       drop function salesforce.tg_account__drain_updates(bigint[])`,
      /tg_account__drain_updates\(\) is missing: the table's logged updates are not pushed/,
    ],
  ])('a %s capture trigger is a failure that --fix repairs', async (kind, breakIt, message) => {
    await world.pool.query(breakIt);
    const broken = await doctor();
    expect(broken.code).toBe(1);
    expect(problems(broken.findings)).toEqual([
      expect.objectContaining({ check: 'capture-trigger', status: 'fail', message: expect.stringMatching(message), fix: 'run `sfsync doctor --fix`' }),
    ]);
    const fixed = await doctor(['--fix']);
    expect(problems(fixed.findings)).toEqual([]);
    expect(fixed.code).toBe(0);
    // The capture works again: an app change reaches the outbox.
    const name = `Captured after fixing a ${kind} trigger`;
    await world.pool.query('insert into salesforce.account (name) values ($1)', [name]);
    // An insert is logged by id; a claim would drain it into the outbox with the row's values.
    await world.pool.query('select sfsync.drain_inserts(id) from sfsync.mappings');
    const { rows } = await world.pool.query(`select count(*)::int as n from sfsync.outbox where changed ->> 'Name' = $1`, [name]);
    expect(rows[0].n).toBe(1);
  });

  it('a graphile-worker schema behind its code, and a dead engine holding a job', async () => {
    const { rows } = await world.pool.query<{ id: number }>(
      'delete from graphile_worker.migrations where id = (select max(id) from graphile_worker.migrations) returning id',
    );
    await world.pool.query(
      `insert into sfsync.engines (worker_pool_id, pid, backend_start, process_name) values ('worker-dead', 999999, now(), 'sfsync start on gone-host')`,
    );
    const { rows: job } = await world.pool.query<{ id: string }>(`select id::text from graphile_worker.add_job('sfsync:prune-outbox', '{}'::json)`);
    await world.pool.query(`update graphile_worker._private_jobs set locked_by = 'worker-dead', locked_at = now() where id = $1`, [job[0]!.id]);
    try {
      const { code, findings } = await doctor(['--no-salesforce']);
      expect(code).toBe(1);
      expect(problems(findings)).toEqual([
        expect.objectContaining({
          check: 'worker-schema',
          status: 'fail',
          message: expect.stringMatching(/at migration \d+, graphile-worker needs \d+/),
          fix: 'run `sfsync migrate`',
        }),
        expect.objectContaining({ check: 'dead-engines', status: 'warn', message: expect.stringContaining('sfsync start on gone-host (1 job(s) locked)') }),
      ]);
    } finally {
      await world.pool.query('insert into graphile_worker.migrations (id) values ($1)', [rows[0]!.id]);
    }
    const fixed = await doctor(['--fix', '--no-salesforce']);
    expect(problems(fixed.findings)).toEqual([]);
    const { rows: locked } = await world.pool.query(`select locked_by from graphile_worker._private_jobs where id = $1`, [job[0]!.id]);
    expect(locked).toEqual([{ locked_by: null }]);
    await world.pool.query('delete from graphile_worker._private_jobs where id = $1', [job[0]!.id]);
  });

  it('a worker pool no engine registered holding a job for over 2 minutes (an engine killed while starting)', async () => {
    const { rows: job } = await world.pool.query<{ id: string }>(`select id::text from graphile_worker.add_job('sfsync:prune-outbox', '{}'::json)`);
    await world.pool.query(
      `update graphile_worker._private_jobs set locked_by = 'pool-never-registered', locked_at = now() - interval '3 minutes' where id = $1`,
      [job[0]!.id],
    );
    const { findings } = await doctor(['--no-salesforce']);
    expect(problems(findings)).toEqual([
      expect.objectContaining({
        check: 'dead-engines',
        status: 'warn',
        message: expect.stringContaining('unregistered worker pool pool-never-registered (1 job(s) locked)'),
      }),
    ]);
    const fixed = await doctor(['--fix', '--no-salesforce']);
    expect(problems(fixed.findings)).toEqual([]);
    const { rows: locked } = await world.pool.query(`select locked_by from graphile_worker._private_jobs where id = $1`, [job[0]!.id]);
    expect(locked).toEqual([{ locked_by: null }]);
    await world.pool.query('delete from graphile_worker._private_jobs where id = $1', [job[0]!.id]);
  });

  it('a login that fails and an API budget nearly spent', async () => {
    const login = await doctor([], { SFSYNC_PASSWORD: 'wrong' });
    expect(login.code).toBe(1);
    expect(problems(login.findings)).toEqual([
      expect.objectContaining({ check: 'login', status: 'fail', subject: 'connection default', fix: expect.stringContaining('sfsync connect --name default') }),
    ]);
    world.emulator.org.controls.dailyApiLimit = 100;
    world.emulator.org.apiUsage = 90;
    try {
      const budget = await doctor();
      expect(problems(budget.findings)).toEqual([
        expect.objectContaining({ check: 'api-budget', status: 'warn', message: expect.stringMatching(/^9\d of 100 daily API requests used/) }),
      ]);
    } finally {
      world.emulator.org.controls.dailyApiLimit = 15_000;
    }
  });

  it('an empty database: the schema is missing, and the fix is sfsync migrate', async () => {
    const { rows } = await world.pool.query<{ db: string }>('select current_database() as db');
    const other = `${rows[0]!.db}_empty`;
    await world.pool.query(`create database ${other}`);
    try {
      const url = new URL(world.env.DATABASE_URL!);
      url.pathname = `/${other}`;
      const { code, findings } = await doctor([], { DATABASE_URL: url.toString() });
      expect(code).toBe(1);
      expect(findings.find((f) => f.check === 'schema')).toMatchObject({ status: 'fail', fix: 'run `sfsync migrate`' });
    } finally {
      await world.pool.query(`drop database ${other} with (force)`);
    }
  });
});
