/**
 * Setting the sync up exactly as an operator would, through the public
 * command: `sfsync migrate`, `sfsync connect`, `sfsync map Account …` (no
 * External ID: the hard case for duplicates) and `sfsync map Contact …` (with
 * one), then wait until the engines have loaded both mappings (state
 * `active`), before any workload starts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { CleanupStack } from './cleanup.js';
import { sfsyncEnv } from './engine-fleet.js';
import { pause } from './app-db.js';
import { runSfsync } from './sfsync-process.js';

const POLLING = ['--mode', 'read_write', '--poll-interval', '5s', '--drift-delay', '20s'];

/** The `sfsync` commands the set-up runs, in order. */
export const SETUP_COMMANDS: string[][] = [
  ['migrate'],
  ['connect'],
  ['map', 'Account', '--fields', 'Name,AnnualRevenue,Description', ...POLLING],
  ['map', 'Contact', '--fields', 'LastName,FirstName,Email,AccountId,Ext_Id__c', ...POLLING, '--external-id', 'Ext_Id__c'],
];

/** Run the set-up commands in `workDir/cli`. */
export async function setUpThroughCli(
  workDir: string,
  databaseUrl: string,
  loginUrl: string,
  cleanup: CleanupStack,
  log: (line: string) => void,
): Promise<void> {
  const cwd = path.join(workDir, 'cli');
  await mkdir(cwd, { recursive: true });
  const env = sfsyncEnv(databaseUrl, loginUrl, path.join(cwd, 'data'));
  for (const args of SETUP_COMMANDS) {
    const out = await runSfsync(args, { cwd, env, cleanup });
    log(`sfsync ${args.slice(0, 2).join(' ')}: ${out.trim().split('\n').at(-1) ?? ''}`);
  }
}

/** Wait until every mapping is `active` (initial load done); throws naming the states after `timeoutMs`. */
export async function waitForActiveMappings(db: pg.Pool, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let states = '';
  for (;;) {
    const { rows } = await db.query<{ sobject: string; state: string }>('select sobject, state from sfsync.mappings order by id');
    states = rows.map((r) => `${r.sobject} ${r.state}`).join(', ');
    if (rows.length >= 2 && rows.every((r) => r.state === 'active')) return;
    if (Date.now() > deadline) throw new Error(`mappings not active after ${timeoutMs / 1000} s: ${states}`);
    await pause(250);
  }
}
