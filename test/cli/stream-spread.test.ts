/**
 * Scale across processes: three `sfsync start` processes on one database and
 * three connections with streaming mappings. Each connection's subscription
 * runs in exactly one process and they spread, one per process; when one
 * process is killed (SIGKILL: no clean stop), its subscription moves to a
 * survivor within seconds, and every connection still has exactly one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_LOCK_CLASS } from '../../src/db/locks.js';
import { REPO_ROOT } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';
import { createCliWorld, type CliWorld } from './cli-env.js';

let world: CliWorld;
const engines: ChildProcess[] = [];
const NAMES = ['north', 'south', 'east'];

beforeAll(async () => {
  world = await createCliWorld();
  expect((await world.sfsync(['migrate'])).code).toBe(0);
  for (const name of NAMES) {
    const connected = await world.sfsync(['connect', '--name', name]);
    expect(connected.code, connected.stderr).toBe(0);
    const mapped = await world.sfsync(['map', 'Account', '--fields', 'Name', '--connection', name, '--schema', name, '--streaming', 'cdc']);
    expect(mapped.code, mapped.stderr).toBe(0);
  }
}, 120_000);
afterAll(async () => {
  for (const child of engines) if (child.exitCode === null) child.kill('SIGKILL');
  await world?.close();
});

function startEngine(): ChildProcess {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'sfsync.js'), 'start', '--no-migrate'], {
    cwd: world.dir,
    env: { ...process.env, ...world.env },
    stdio: 'ignore',
  });
  engines.push(child);
  return child;
}

/** Connection name → OS pid of the process holding its stream lock. */
async function leaders(): Promise<Map<string, number>> {
  const { rows } = await world.pool.query<{ name: string; app: string }>(
    `select c.name, a.application_name as app
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
       join sfsync.connections c on c.id = l.objid::int
      where l.locktype = 'advisory' and l.granted and l.classid = $1::int::oid and l.database = (select oid from pg_database where datname = current_database())`,
    [STREAM_LOCK_CLASS],
  );
  return new Map(rows.map((r) => [r.name, Number(/(\d+)$/.exec(r.app)?.[1])]));
}

describe('streaming subscriptions across processes', () => {
  it('spread one per process, and move within seconds when a process is killed', async () => {
    const children = [startEngine(), startEngine(), startEngine()];
    const pids = children.map((c) => c.pid!);
    const spread = await waitFor(
      async () => {
        const held = await leaders();
        return held.size === NAMES.length && new Set(held.values()).size === 3 ? held : undefined;
      },
      { what: 'each connection led, one per process', timeoutMs: 90_000 },
    );
    expect([...spread.values()].sort()).toEqual([...pids].sort());
    const [victimName, victimPid] = [...spread.entries()][0]!;
    const victim = children.find((c) => c.pid === victimPid)!;
    victim.kill('SIGKILL');
    const moved = await waitFor(
      async () => {
        const held = await leaders();
        const holder = held.get(victimName);
        return held.size === NAMES.length && holder !== undefined && holder !== victimPid ? held : undefined;
      },
      { what: `${victimName}'s subscription to move`, timeoutMs: 30_000 },
    );
    // Every connection has exactly one leader, all in the survivors.
    expect([...moved.values()].every((pid) => pid !== victimPid)).toBe(true);
    expect(new Set(moved.keys())).toEqual(new Set(NAMES));
    // The subscription works after the move: a Salesforce change reaches its table.
    world.emulator.org.create('Account', { Name: 'after the move' });
    await waitFor(async () => (await world.pool.query(`select 1 from ${victimName}.account where name = 'after the move'`)).rowCount === 1, {
      what: 'a change streamed after the move',
      timeoutMs: 30_000,
    });
    for (const child of children) if (child.exitCode === null) child.kill('SIGINT');
  }, 180_000);
});
