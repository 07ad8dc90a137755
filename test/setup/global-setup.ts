/**
 * Vitest global setup of the `integration` project: one Postgres for the run
 * (embedded in a temp dir; `DATABASE_URL` when set; a container when
 * `SFSYNC_TEST_PG=container`), and a template database migrated once. Each
 * test file clones its own database from the template (test/setup/database.ts).
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrate.js';
import { providePostgres, withDatabase } from '../../src/db/provide-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL (database `postgres` or the one in DATABASE_URL). */
    pgUrl: string;
    /** Name of the migrated template database. */
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await providePostgres({ temporary: true, container: process.env.SFSYNC_TEST_PG === 'container' });
  const template = `sfsync_template_${process.pid}`;
  const admin = new pg.Client(server.url);
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${template}`);
    await admin.query(`create database ${template}`);
    await migrate(withDatabase(server.url, template));
  } catch (error) {
    await admin.end().catch(() => undefined);
    await server.stop();
    throw error;
  }
  project.provide('pgUrl', server.url);
  project.provide('templateDatabase', template);
  return async () => {
    try {
      await admin.query(`drop database if exists ${template} with (force)`);
    } finally {
      await admin.end().catch(() => undefined);
      await server.stop();
    }
  };
}
