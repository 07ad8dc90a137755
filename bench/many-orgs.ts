/**
 * Many orgs, one database (issue 14): N emulated orgs (each its own user and
 * connected app, its credentials sealed in sfsync.connections), 2 read_write
 * mappings each (Account, Contact; streaming on), 3 `sfsync start`
 * processes, one embedded Postgres. Reported per scenario, 1 org beside N:
 *  - PG→SF and SF→PG latency p50/p99 while every org changes at once
 *    (per org: `changes` inserts in Postgres and as many creates in Salesforce);
 *  - API calls per org per hour while idle (the emulators' usage counters);
 *  - Postgres connections held by sfsync (pg_stat_activity, sampled, maximum);
 *  - memory (RSS) per engine process.
 * The emulators run in this process; the machine is shared, so figures are
 * indicative, not a capacity plan.
 *
 *   npm run bench:many-orgs -- [orgs=20] [idleSeconds=45] [changes=10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from 'salesforce-emulator';
import { loadConfig } from '../src/config/load-config.js';
import { loadSecretKey } from '../src/config/secret-key.js';
import { storeSecrets } from '../src/config/stored-secrets.js';
import { migrate } from '../src/db/migrate.js';
import { createPool, withClient } from '../src/db/pool.js';
import { providePostgres } from '../src/db/provide-postgres.js';
import { applyMapping } from '../src/mapping/apply-mapping.js';
import { openClient, readConnectionSettings } from '../src/salesforce/open-client.js';
import { describeMachine } from './bench-machine.js';

const ORGS = Number(process.argv[2] ?? 20);
const IDLE_S = Number(process.argv[3] ?? 45);
const CHANGES = Number(process.argv[4] ?? 10);
const ENGINES = 3;

interface Figures {
  orgs: number;
  pgToSf: number[];
  sfToPg: number[];
  idleCallsPerOrgHour: number;
  pgConnections: number;
  rssMiB: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function scenario(orgs: number): Promise<Figures> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sfsync-many-orgs-'));
  const server = await providePostgres({ temporary: true });
  const emulators: RunningEmulator[] = [];
  const engines: ChildProcess[] = [];
  const pool = createPool(server.url, { max: 6, applicationName: 'bench many-orgs' });
  try {
    await migrate(server.url);
    const keyFile = path.join(dir, 'secret.key');
    await writeFile(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    const config = loadConfig({ env: {}, cwd: dir, overrides: { databaseUrl: server.url, secretKeyFile: keyFile, logLevel: 'silent' } });
    const key = loadSecretKey(keyFile, {});
    for (let i = 0; i < orgs; i++) {
      const name = `org${i}`;
      const login = { username: `admin@${name}.test`, password: `${name}-pw`, clientId: `${name}-app`, clientSecret: `${name}-secret` };
      const emulator = await startEmulator({ ...login, port: 0, log: () => undefined });
      emulators.push(emulator);
      const secrets = storeSecrets(
        { name, loginUrl: emulator.url },
        { password: { value: login.password, ref: '' }, clientSecret: { value: login.clientSecret, ref: '' } },
        key,
      );
      const { rows } = await pool.query<{ id: string }>(
        `insert into sfsync.connections (name, login_url, auth_kind, username, client_id, secrets) values ($1, $2, 'password', $3, $4, $5) returning id::text`,
        [name, emulator.url, login.username, login.clientId, JSON.stringify(secrets)],
      );
      if (i % 5 === 0) console.error(`  org ${i + 1} of ${orgs}: connecting and mapping`);
      const sf = await openClient(config, await readConnectionSettings(pool, rows[0]!.id));
      for (const [sobject, fields] of [
        ['Account', ['Name']],
        ['Contact', ['LastName']],
      ] as const) {
        await withClient(pool, (c) => applyMapping(c, sf, { connectionId: rows[0]!.id, sobject, fields: [...fields], mode: 'read_write', schema: name }));
      }
    }
    for (let e = 0; e < ENGINES; e++) {
      engines.push(
        spawn(process.execPath, ['bin/sfsync.js', 'start', '--no-migrate'], {
          env: { ...process.env, DATABASE_URL: server.url, SFSYNC_SECRET_KEY_FILE: keyFile, SFSYNC_METRICS_PORT: '0', SFSYNC_LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    }
    console.error('  waiting for the loads and subscriptions');
    await until('every mapping loaded', async () => (await pool.query(`select 1 from sfsync.mappings where state <> 'active'`)).rowCount === 0);
    await until(
      'every org subscribed',
      async () => (await pool.query(`select count(distinct connection_id)::int as n from sfsync.stream_state`)).rows[0].n === orgs,
    );
    // Idle: the load's drift re-polls pass first, then the calls of a quiet org are counted.
    await sleep(5000);
    const idleStart = emulators.map((e) => e.org.apiUsage);
    await sleep(IDLE_S * 1000);
    const idleCalls = emulators.reduce((sum, e, i) => sum + e.org.apiUsage - idleStart[i]!, 0);
    // Every org changes at once: inserts in Postgres and creates in Salesforce.
    const pgToSf: number[] = [];
    const sfToPg: number[] = [];
    const waitingSf = new Map<string, number>();
    const offs = emulators.map((e) =>
      e.org.onChange((event) => {
        const name = String(event.record.Name ?? '');
        const start = waitingSf.get(name);
        if (start !== undefined) {
          pgToSf.push(Date.now() - start);
          waitingSf.delete(name);
        }
      }),
    );
    const waitingPg = new Map<string, { schema: string; start: number }>();
    let maxConnections = 0;
    const sampleConnections = async () => {
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name like 'sfsync%'`,
      );
      maxConnections = Math.max(maxConnections, rows[0]!.n);
    };
    await Promise.all(
      emulators.map(async (e, i) => {
        for (let k = 0; k < CHANGES; k++) {
          const pgName = `pg org${i} ${k}`;
          waitingSf.set(pgName, Date.now());
          await pool.query(`insert into org${i}.account (name) values ($1)`, [pgName]);
          const sfName = `sf org${i} ${k}`;
          waitingPg.set(sfName, { schema: `org${i}`, start: Date.now() });
          e.org.create('Account', { Name: sfName });
        }
      }),
    );
    const deadline = Date.now() + 180_000;
    while ((waitingSf.size > 0 || waitingPg.size > 0) && Date.now() < deadline) {
      await sampleConnections();
      const { rows } = await pool.query<{ name: string }>(
        `select name from (${emulators.map((_, i) => `select name from org${i}.account where name like 'sf %'`).join(' union all ')}) t`,
      );
      for (const { name } of rows) {
        const w = waitingPg.get(name);
        if (w) {
          sfToPg.push(Date.now() - w.start);
          waitingPg.delete(name);
        }
      }
      await sleep(50);
    }
    for (const off of offs) off();
    if (waitingSf.size + waitingPg.size > 0) console.error(`not arrived within 3 minutes: ${waitingSf.size} to Salesforce, ${waitingPg.size} to Postgres`);
    await sampleConnections();
    const rss = await Promise.all(engines.map((e) => rssMiB(e.pid!)));
    return { orgs, pgToSf, sfToPg, idleCallsPerOrgHour: (idleCalls / orgs / IDLE_S) * 3600, pgConnections: maxConnections, rssMiB: rss };
  } finally {
    for (const e of engines) e.kill('SIGINT');
    await Promise.all(engines.map((e) => new Promise((resolve) => (e.exitCode !== null ? resolve(null) : e.once('exit', resolve)))));
    await pool.end();
    for (const e of emulators) await e.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function row(label: string, f: (x: Figures) => string, all: Figures[]): string {
  return `| ${label} | ${all.map(f).join(' | ')} |`;
}

async function main(): Promise<void> {
  const results: Figures[] = [];
  for (const orgs of ORGS === 1 ? [1] : [1, ORGS]) {
    console.error(`scenario: ${orgs} org(s)…`);
    results.push(await scenario(orgs));
  }
  const ms = (v: number) => `${Math.round(v)} ms`;
  console.log(`\nmany orgs: ${ENGINES} engine processes, 2 read_write mappings per org, ${CHANGES} changes each way per org at once, idle ${IDLE_S} s\n`);
  console.log(`| | ${results.map((r) => `${r.orgs} org${r.orgs > 1 ? 's' : ''}`).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---').join('|')}|`);
  console.log(row('PG→SF p50 / p99', (r) => `${ms(pct(r.pgToSf, 50))} / ${ms(pct(r.pgToSf, 99))}`, results));
  console.log(row('SF→PG p50 / p99', (r) => `${ms(pct(r.sfToPg, 50))} / ${ms(pct(r.sfToPg, 99))}`, results));
  console.log(row('idle API calls per org per hour', (r) => r.idleCallsPerOrgHour.toFixed(0), results));
  console.log(row('Postgres connections held by sfsync (max)', (r) => String(r.pgConnections), results));
  console.log(row('RSS per engine (MiB)', (r) => r.rssMiB.map((v) => v.toFixed(0)).join(', '), results));
  const server = await providePostgres({ temporary: true });
  try {
    const client = createPool(server.url, { max: 1 });
    const session = await client.connect();
    console.log(`\n${await describeMachine(session)}`);
    session.release();
    await client.end();
  } finally {
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
