/** Shared set-up of the push benchmarks: embedded Postgres, emulator, connection, one read_write Account mapping, an engine. */
import pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import type { SfsyncConfigInput } from '../src/config/config-schema.js';
import { migrate } from '../src/db/migrate.js';
import { providePostgres } from '../src/db/provide-postgres.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { applyMapping } from '../src/mapping/apply-mapping.js';
import { connectSalesforce } from '../src/salesforce/connect.js';
import { JsforceSalesforceClient } from '../src/salesforce/jsforce-client.js';
import { startEngine, type RunningEngine } from '../src/runtime/start-engine.js';

/** A running benchmark sync. */
export interface BenchSync {
  client: pg.Client;
  emulator: RunningEmulator;
  engine: RunningEngine;
  mappingId: string;
  stop(): Promise<void>;
}

/** Start everything; `push` overrides config.push. */
export async function startBenchSync(push: SfsyncConfigInput['push'] = {}): Promise<BenchSync> {
  const server = await providePostgres({ temporary: true });
  await migrate(server.url);
  const emulator = await startEmulator({ port: 0, log: () => undefined });
  const client = new pg.Client(server.url);
  await client.connect();
  const salesforce = { loginUrl: emulator.url, apiVersion: '59.0', username: 'admin@sfsync.test', password: 'sfsync', clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret' };
  const config = loadConfig({ env: {}, cwd: '/nonexistent', overrides: { databaseUrl: server.url, salesforce, push, metrics: { port: 0 }, logLevel: 'silent' } });
  const { rows } = await client.query<{ id: string }>(`insert into sfsync.connections (name, login_url, username, client_id) values ('bench', $1, $2, $3) returning id::text`, [emulator.url, salesforce.username, salesforce.clientId]);
  const sf = new JsforceSalesforceClient(await connectSalesforce(config.salesforce));
  const plan = await applyMapping(client, sf, { connectionId: rows[0]!.id, sobject: 'Account', fields: ['Name', 'NumberOfEmployees'], mode: 'read_write', streaming: 'off' });
  const engine = await startEngine({ config, databaseUrl: server.url });
  return {
    client, emulator, engine, mappingId: plan.mappingId,
    async stop() {
      await engine.stop().catch(() => undefined);
      await client.end().catch(() => undefined);
      await emulator.stop();
      await server.stop();
    },
  };
}
