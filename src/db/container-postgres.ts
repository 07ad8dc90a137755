/**
 * A Postgres in a container (testcontainers), for machines with a Docker engine.
 * Without one, the request fails at once with a clear message rather than
 * waiting on testcontainers' own discovery time-outs.
 */
import { existsSync } from 'node:fs';
import { SfsyncError } from '../errors.js';
import type { RunningPostgres } from './embedded-postgres.js';

/** The image used when a container is asked for. */
export const POSTGRES_IMAGE = 'postgres:16-alpine';

/** Start a throw-away Postgres container; rejects within a second when no Docker engine is reachable. */
export async function startContainerPostgres(): Promise<RunningPostgres> {
  if (!dockerLooksReachable()) {
    throw new SfsyncError(
      'NO_DOCKER',
      'SFSYNC_TEST_PG=container needs a Docker engine, and none is reachable (no DOCKER_HOST, no /var/run/docker.sock); unset SFSYNC_TEST_PG to use the embedded Postgres.',
    );
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await withTimeout(new PostgreSqlContainer(POSTGRES_IMAGE).start(), 120_000);
  return {
    url: container.getConnectionUri(),
    kind: 'container',
    async stop() {
      await container.stop();
    },
  };
}

function dockerLooksReachable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SfsyncError('CONTAINER_TIMEOUT', `The Postgres container did not start within ${ms / 1000} s; check the Docker engine.`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
