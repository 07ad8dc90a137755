import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startContainerPostgres } from '../../src/db/container-postgres.js';
import { providePostgres } from '../../src/db/provide-postgres.js';
import { runCli } from '../support/run-cli.js';

describe('providePostgres', () => {
  it('honours DATABASE_URL: sfsync migrate installs into a second embedded instance', async () => {
    const second = await providePostgres({ temporary: true, databaseUrl: '' });
    try {
      expect(second.kind).toBe('embedded');
      const result = await runCli(['migrate'], { env: { DATABASE_URL: second.url } });
      expect(result.code, result.stderr).toBe(0);
      const client = new pg.Client(second.url);
      await client.connect();
      try {
        const { rows } = await client.query(`select count(*)::int as n, bool_or(name = 'baseline') as baseline from sfsync.migrations`);
        expect(rows[0]).toEqual({ n: expect.any(Number), baseline: true });
        expect(rows[0].n).toBeGreaterThanOrEqual(2);
      } finally {
        await client.end();
      }
      const external = await providePostgres({ databaseUrl: second.url });
      expect(external).toMatchObject({ kind: 'external', url: second.url });
      await external.stop(); // a no-op: an external server is never stopped by us
      const still = new pg.Client(second.url);
      await still.connect();
      await still.end();
    } finally {
      await second.stop();
    }
  });

  it('removes a temporary cluster directory on stop', async () => {
    const server = await providePostgres({ temporary: true, databaseUrl: '' });
    const dataDir = await (async () => {
      const client = new pg.Client(server.url);
      await client.connect();
      try {
        return (await client.query<{ setting: string }>(`select setting from pg_settings where name = 'data_directory'`)).rows[0]!.setting;
      } finally {
        await client.end();
      }
    })();
    expect(existsSync(dataDir)).toBe(true);
    await server.stop();
    expect(existsSync(dataDir)).toBe(false);
  });

  it('fails within a second with a clear message when a container is asked for and no Docker engine runs', async () => {
    if (existsSync('/var/run/docker.sock') || process.env.DOCKER_HOST) {
      // With Docker present this path starts a real container instead; the
      // embedded tests above cover the rest. Assert the environment says so.
      expect(existsSync('/var/run/docker.sock') || Boolean(process.env.DOCKER_HOST)).toBe(true);
      return;
    }
    const started = Date.now();
    await expect(startContainerPostgres()).rejects.toThrow(/needs a Docker engine.*unset SFSYNC_TEST_PG/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
