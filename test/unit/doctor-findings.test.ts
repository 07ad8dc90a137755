/**
 * The doctor findings that a test database cannot break: this machine's clock
 * against a server's Date header (a real HTTP server whose clock is 90 s
 * ahead), and server settings that leave too few connections or no WAL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clockSkewFinding, measureClockSkew } from '../../src/cli/doctor/check-connections.js';
import { serverLimitFindings } from '../../src/cli/doctor/check-database.js';
import { formatFinding } from '../../src/cli/doctor/finding.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serverWithClockOffset(offsetMs: number): Promise<string> {
  server = createServer((_, res) => {
    res.sendDate = false;
    res.writeHead(200, { date: new Date(Date.now() + offsetMs).toUTCString(), 'content-type': 'application/json' });
    res.end('[]');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/data/`;
}

describe('clock skew', () => {
  it('measures a server 90 s ahead and warns with the fix', async () => {
    const skew = await measureClockSkew(await serverWithClockOffset(90_000));
    expect(skew).toBeGreaterThanOrEqual(88);
    expect(skew).toBeLessThanOrEqual(92);
    const finding = clockSkewFinding('connection default', skew);
    expect(finding).toMatchObject({ check: 'clock-skew', status: 'warn', fix: expect.stringContaining('NTP') });
    expect(formatFinding(finding)).toMatch(/^WARN clock-skew +connection default: this clock is 9\d s behind Salesforce's; fix: synchronise/);
  });

  it('a clock in step is ok', async () => {
    const skew = await measureClockSkew(await serverWithClockOffset(0));
    expect(Math.abs(skew)).toBeLessThanOrEqual(2);
    expect(clockSkewFinding('connection default', skew).status).toBe('ok');
  });
});

describe('server limits', () => {
  it('too few free connections for another engine, and wal_level minimal', () => {
    const [connections, wal] = serverLimitFindings({ max: 100, reserved: 3, used: 80, wal_level: 'minimal' }, 35);
    expect(connections).toMatchObject({ check: 'max-connections', status: 'warn', message: '17 of 100 connections free, but an engine opens up to 35' });
    expect(connections!.fix).toMatch(/raise max_connections/);
    expect(wal).toMatchObject({ check: 'wal-level', status: 'warn', fix: expect.stringContaining('wal_level = replica') });
  });

  it('none free is a failure; enough is ok', () => {
    expect(serverLimitFindings({ max: 100, reserved: 3, used: 97, wal_level: 'replica' }, 35)[0]!.status).toBe('fail');
    expect(serverLimitFindings({ max: 200, reserved: 3, used: 10, wal_level: 'replica' }, 35).map((f) => f.status)).toEqual(['ok', 'ok']);
  });
});
