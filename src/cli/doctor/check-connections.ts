/**
 * Doctor checks of each stored Salesforce connection: the login works with
 * the credentials configured here, the org's daily API budget has room, and
 * this machine's clock agrees with Salesforce's (poll windows are cut from
 * this clock and compared with Salesforce's SystemModstamp).
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../../config/config-schema.js';
import { openClient, readConnectionSettings } from '../../salesforce/open-client.js';
import { readDailyApiUsage } from '../save-connection.js';
import { ok, problem, type Finding } from './finding.js';

/** Share of the daily API limit used at which doctor warns (0.8) and fails (0.95). */
export const API_BUDGET_WARN = 0.8;
export const API_BUDGET_FAIL = 0.95;

/** Clock skew (seconds) above which doctor warns: the drift re-poll and the 300 s created-record margin absorb less. */
export const CLOCK_SKEW_WARN_SECONDS = 5;

/** One finding per check per connection. */
export async function checkConnections(pool: pg.Pool, config: SfsyncConfig): Promise<Finding[]> {
  const { rows } = await pool.query<{ id: string; name: string }>('select id::text, name from sfsync.connections order by id');
  if (rows.length === 0) return [problem('warn', 'login', 'connections', 'no Salesforce connection is stored', 'run `sfsync connect`')];
  const findings: Finding[] = [];
  for (const row of rows) findings.push(...(await checkConnection(pool, config, row.id, row.name)));
  return findings;
}

async function checkConnection(pool: pg.Pool, config: SfsyncConfig, id: string, name: string): Promise<Finding[]> {
  const subject = `connection ${name}`;
  let client: Awaited<ReturnType<typeof openClient>>;
  try {
    client = await openClient(config, await readConnectionSettings(pool, id));
  } catch (error) {
    return [
      problem(
        'fail',
        'login',
        subject,
        `login failed (${(error as Error).message.split('\n')[0]})`,
        `check the SFSYNC_* credentials of this process, then \`sfsync connect --name ${name}\``,
      ),
    ];
  }
  const findings = [ok('login', subject, `logged in to ${client.conn.instanceUrl}`)];
  findings.push(apiBudgetFinding(subject, await readDailyApiUsage(client.conn)));
  try {
    findings.push(clockSkewFinding(subject, await measureClockSkew(`${client.conn.instanceUrl}/services/data/`)));
  } catch (error) {
    findings.push(
      problem('warn', 'clock-skew', subject, `could not read Salesforce's clock (${(error as Error).message})`, 'check the instance URL is reachable'),
    );
  }
  return findings;
}

/**
 * The org's daily API usage against its limit. The budget sfsync itself may
 * spend (a governor below the org's limit) is a separate setting once it
 * exists; this compares with the org's limit as Salesforce reports it.
 */
export function apiBudgetFinding(subject: string, usage: { used: number; max: number } | undefined): Finding {
  if (!usage || usage.max <= 0)
    return problem(
      'warn',
      'api-budget',
      subject,
      'Salesforce did not report the daily API limit',
      'check that the user has "API Enabled" and can read /limits',
    );
  const share = usage.used / usage.max;
  const text = `${usage.used} of ${usage.max} daily API requests used (${(100 * share).toFixed(1)}%)`;
  if (share < API_BUDGET_WARN) return ok('api-budget', subject, text);
  return problem(
    share >= API_BUDGET_FAIL ? 'fail' : 'warn',
    'api-budget',
    subject,
    text,
    'lengthen poll intervals (`sfsync map … --poll-interval`), turn on streaming, or raise the org limit; usage resets over 24 hours',
  );
}

/** Seconds Salesforce's clock is ahead of ours (negative: behind), from the Date header of one unauthenticated GET. */
export async function measureClockSkew(url: string): Promise<number> {
  const before = Date.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const after = Date.now();
  await response.body?.cancel();
  const date = response.headers.get('date');
  const theirs = date ? Date.parse(date) : NaN;
  if (Number.isNaN(theirs)) throw new Error(`no Date header from ${url}`);
  // The header has whole seconds: compare with the middle of the request, floored the same way.
  return (theirs - Math.floor((before + after) / 2000) * 1000) / 1000;
}

/** The finding for a measured skew. */
export function clockSkewFinding(subject: string, skewSeconds: number): Finding {
  const text = `this clock is ${Math.abs(skewSeconds).toFixed(0)} s ${skewSeconds > 0 ? 'behind' : 'ahead of'} Salesforce's`;
  if (Math.abs(skewSeconds) <= CLOCK_SKEW_WARN_SECONDS) return ok('clock-skew', subject, `${text} (within ${CLOCK_SKEW_WARN_SECONDS} s)`);
  return problem('warn', 'clock-skew', subject, text, 'synchronise this machine with NTP (e.g. systemd-timesyncd or chrony)');
}
