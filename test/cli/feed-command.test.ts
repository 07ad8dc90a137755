/**
 * `sfsync feed --subscriber X [--follow] [--json]`: prints the entries after
 * the subscriber's cursor as JSON lines and acks them; --follow keeps tailing
 * as entries are appended (NOTIFY) until SIGINT; a subscriber behind
 * retention fails with one line naming the fix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';
import { createCliWorld, expectOneLineFailure, type CliWorld } from './cli-env.js';

let world: CliWorld;
const children: ChildProcess[] = [];
beforeAll(async () => {
  world = await createCliWorld();
  await world.pool.query(`insert into sfsync.connections (name, login_url) values ('feed_test', 'http://127.0.0.1:1')`);
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await world?.close();
});

/** Append a pending entry as the sync paths do. */
const append = (sfid: string, changed: Record<string, unknown>) =>
  world.pool.query(
    `insert into sfsync.feed_pending (connection_id, mapping_id, sobject, sfid, record_id, direction, op, changed)
     select id, 0, 'Account', $1, 1, 'inbound', 'update', $2::jsonb from sfsync.connections where name = 'feed_test'`,
    [sfid, JSON.stringify(changed)],
  );

describe('sfsync feed', () => {
  it('prints the entries after the cursor as JSON lines and acks them', async () => {
    await world.pool.query(`select sfsync.feed_subscribe('cli')`);
    await append('001000000000000AAA', { Name: 'One' });
    await append('001000000000000AAB', { Name: 'Two' });
    const first = await world.sfsync(['feed', '--subscriber', 'cli', '--json']);
    expect(first.code).toBe(0);
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.sfid, l.changed])).toEqual([
      ['001000000000000AAA', { Name: 'One' }],
      ['001000000000000AAB', { Name: 'Two' }],
    ]);
    expect(lines[0]).toMatchObject({ direction: 'inbound', op: 'update', sobject: 'Account' });
    const again = await world.sfsync(['feed', '--subscriber', 'cli', '--json']);
    expect(again.stdout.trim()).toBe('');
  });

  it('--follow tails new entries until SIGINT', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'sfsync.js'), 'feed', '--subscriber', 'tail', '--follow', '--json'], {
      cwd: world.dir,
      env: { ...process.env, ...world.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(async () => (await world.pool.query(`select 1 from sfsync.feed_subscribers where name = 'tail'`)).rowCount === 1, {
      what: 'the subscriber to be created',
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await world.pool.query(`select 1 from pg_stat_activity where query like 'listen%sfsync:feed%'`)).rowCount === 1, {
      what: 'the command to listen',
      timeoutMs: 30_000,
    });
    await append('001000000000000TAI', { Phone: '555' });
    await waitFor(() => out.includes('001000000000000TAI'), { what: 'the entry to be printed', timeoutMs: 10_000 });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({ sfid: '001000000000000TAI', changed: { Phone: '555' } });
  });

  it('a subscriber behind retention fails with one line naming the fix', async () => {
    await world.pool.query(`select sfsync.feed_subscribe('behind')`);
    await append('001000000000000OLD', {});
    await world.sfsync(['feed', '--subscriber', 'cli']);
    await world.pool.query(`select sfsync.feed_settle()`);
    await world.pool.query(`update sfsync.feed set settled_at = now() - interval '2 days'`);
    await world.pool.query(`select sfsync.feed_prune(interval '1 day')`);
    expectOneLineFailure(await world.sfsync(['feed', '--subscriber', 'behind']), /fell behind the feed's retention/);
  });
});
