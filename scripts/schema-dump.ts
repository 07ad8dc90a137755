/**
 * `npm run schema:dump`: migrate a scratch database and write what its
 * catalog says to sql/schema.sql and src/db/database.generated.ts
 * (src/db/catalog.ts). Uses `DATABASE_URL`'s server when set (a scratch
 * database is created there and dropped), else a throw-away embedded Postgres.
 * Run it after changing a migration and commit both files;
 * test/db/schema.test.ts fails until they match.
 *
 *   npm run schema:dump            # write both files
 *   npm run schema:dump -- --check # exit 1 when either differs
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { dumpCatalog, generateDatabaseTypes } from '../src/db/catalog.js';
import { migrate } from '../src/db/migrate.js';
import { providePostgres, withDatabase } from '../src/db/provide-postgres.js';
import { PACKAGE_ROOT } from '../src/paths.js';

/** The checked-in outputs, relative to the package root. */
const SCHEMA_FILE = path.join('sql', 'schema.sql');
const DATABASE_TYPES_FILE = path.join('src', 'db', 'database.generated.ts');

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const server = await providePostgres({ temporary: true });
  const database = `sfsync_schema_dump_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(server.url);
  await admin.connect();
  try {
    await admin.query(`create database ${database}`);
    const url = withDatabase(server.url, database);
    await migrate(url);
    const client = new pg.Client(url);
    await client.connect();
    let outputs: [string, string][];
    try {
      outputs = [
        [SCHEMA_FILE, await dumpCatalog(client)],
        [DATABASE_TYPES_FILE, await generateDatabaseTypes(client)],
      ];
    } finally {
      await client.end();
    }
    let stale = 0;
    for (const [file, text] of outputs) {
      const full = path.join(PACKAGE_ROOT, file);
      const current = await readFile(full, 'utf8').catch(() => '');
      if (current === text) continue;
      stale++;
      if (check) console.error(`${file} differs from the migrated catalog; run \`npm run schema:dump\` and commit it.`);
      else {
        await writeFile(full, text);
        console.log(`wrote ${file}`);
      }
    }
    if (!check && stale === 0) console.log(`${SCHEMA_FILE} and ${DATABASE_TYPES_FILE} are up to date.`);
    return check && stale > 0 ? 1 : 0;
  } finally {
    await admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    await server.stop();
  }
}

process.exitCode = await main();
