/**
 * A fresh database per test file, cloned from the migrated template.
 *
 * @example
 * const db = await createTestDatabase();
 * afterAll(() => db.drop());
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../src/db/provide-postgres.js';

/** A cloned database: its URL, an admin URL of the server, and how to drop it. */
export interface TestDatabase {
  name: string;
  url: string;
  serverUrl: string;
  drop(): Promise<void>;
}

/** Clone the template into a new database (`clone: false` for an empty one). */
export async function createTestDatabase(options: { clone?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('pgUrl');
  const template = inject('templateDatabase');
  const name = `sfsync_test_${randomBytes(5).toString('hex')}`;
  const source = options.clone === false ? 'template0' : template;
  await adminQuery(serverUrl, `create database ${name} template ${source}`);
  return {
    name,
    url: withDatabase(serverUrl, name),
    serverUrl,
    drop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

/** A cloned database with one connected client; `close()` ends the client and drops the database. */
export interface TestClient {
  db: TestDatabase;
  client: pg.Client;
  close(): Promise<void>;
}

/**
 * Clone the template and connect one client to it.
 *
 * @example
 * let t: TestClient;
 * beforeAll(async () => (t = await openTestClient()));
 * afterAll(() => t?.close());
 */
export async function openTestClient(): Promise<TestClient> {
  const db = await createTestDatabase();
  const client = new pg.Client(db.url);
  try {
    await client.connect();
  } catch (error) {
    await db.drop();
    throw error;
  }
  return {
    db,
    client,
    async close() {
      await client.end().catch(() => undefined);
      await db.drop();
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  // Concurrent clones of one template can collide ("source database is being
  // accessed by other users") for a moment; retry briefly.
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client(serverUrl);
    await client.connect();
    try {
      await client.query(sql);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== '55006' || attempt >= 50) throw error;
    } finally {
      await client.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
