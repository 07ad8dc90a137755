/**
 * The `real` timing profile: each delay it promises is at least there
 * (lower bounds and order only; an upper bound would flake on a busy machine),
 * and explicit controls win over it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { latencyProfile, startEmulator, type ControlSettings, type RunningEmulator } from '../src/index.js';
import { control, login } from './core-helpers.js';
import { StreamingClient, waitFor } from './streaming-helpers.js';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((r) => r.stop()));
});

async function start(options: Parameters<typeof startEmulator>[0]): Promise<RunningEmulator> {
  const emu = await startEmulator({ log: () => undefined, ...options });
  running.push(emu);
  return emu;
}

describe('latency profile real', () => {
  it('sets the controls it documents, under explicit ones', async () => {
    const emu = await start({ profile: 'real', controls: { streamDeliveryDelayMs: 50 } });
    const controls = await control<ControlSettings>(emu, 'GET', '/faults');
    expect(controls).toMatchObject({
      latency: { minMs: 100, maxMs: 200 },
      bulkJobDelayMs: 1000,
      bulkIngestMsPerRecord: 0.5,
      bulkQueryMsPerRecord: 0.01,
      streamDeliveryDelayMs: 50,
    });
    // Reset returns to the profile, not to zero delays.
    await control(emu, 'POST', '/reset');
    expect((await control<ControlSettings>(emu, 'GET', '/faults')).latency).toEqual({ minMs: 100, maxMs: 200 });
    expect(latencyProfile('none')).toEqual({});
  });

  it('makes every REST call take at least the profile’s minimum', async () => {
    const emu = await start({ profile: 'real' });
    const conn = await login(emu);
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await conn.query('SELECT Id FROM User');
      expect(performance.now() - started).toBeGreaterThanOrEqual(99);
    }
  });

  it('keeps a Bulk job InProgress longer the more records it holds', async () => {
    // REST latency off so the job's own time is what the test sees.
    const emu = await start({ profile: 'real', controls: { latency: 0 } });
    const conn = await login(emu);
    const timeOf = async (n: number): Promise<number> => {
      const input = `Name\n${Array.from({ length: n }, (_, i) => `P-${n}-${i}`).join('\n')}\n`;
      const started = performance.now();
      const results = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'insert', input, pollInterval: 20, pollTimeout: 60_000 });
      expect(results.successfulResults).toHaveLength(n);
      return performance.now() - started;
    };
    expect(await timeOf(10)).toBeGreaterThanOrEqual(1000);
    expect(await timeOf(2000)).toBeGreaterThanOrEqual(1000 + 0.5 * 2000);
    const started = performance.now();
    const rows = await conn.bulk2.query('SELECT Id FROM Account', { pollInterval: 20, pollTimeout: 60_000 });
    expect((await rows.toArray()).length).toBe(2010);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('delivers change events no sooner than 200 ms after the commit, in commit order', async () => {
    const emu = await start({ profile: 'real', controls: { latency: 0 } });
    const conn = await login(emu);
    const client = new StreamingClient({ url: emu.url, token: conn.accessToken ?? '' });
    running.push({ stop: () => client.disconnect() });
    expect((await client.handshake()).successful).toBe(true);
    expect((await client.subscribe('/data/AccountChangeEvent')).successful).toBe(true);
    // Taken before the call: the commit happens inside it, before its reply reaches us.
    const sent = performance.now();
    const { id } = (await conn.sobject('Account').create({ Name: 'first' })) as { id: string };
    await conn.sobject('Account').update({ Id: id, Name: 'second' });
    await waitFor(() => client.received('/data/AccountChangeEvent').length >= 1 || undefined, 5000, 'the first change event');
    expect(performance.now() - sent).toBeGreaterThanOrEqual(199);
    const events = await waitFor(
      () => {
        const got = client.received('/data/AccountChangeEvent');
        return got.length >= 2 ? got : undefined;
      },
      5000,
      'both change events',
    );
    const types = events.map((m) => (m.data as { payload: { ChangeEventHeader: { changeType: string } } }).payload.ChangeEventHeader.changeType);
    expect(types).toEqual(['CREATE', 'UPDATE']);
    const replayIds = events.map((m) => (m.data as { event: { replayId: number } }).event.replayId);
    expect(replayIds[1]).toBeGreaterThan(replayIds[0]!);
  });

  it('is a flag of the command; an unknown name exits 2 naming the choices', async () => {
    const bin = fileURLToPath(new URL('../bin/salesforce-emulator.js', import.meta.url));
    const child = spawn(process.execPath, [bin, '--profile', 'fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('salesforce-emulator: Unknown profile "fast"; use none or real.');
  });
});
