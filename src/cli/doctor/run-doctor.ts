/**
 * `sfsync doctor`'s checks in order, and its fixes. The checks only read
 * (Salesforce is asked for /limits and its clock, one login per connection);
 * `fix` re-creates wrong capture triggers and unlocks dead engines' jobs.
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../../config/config-schema.js';
import { checkConnections } from './check-connections.js';
import { checkDeadEngines, checkSchema, checkServerLimits, checkWorkerSchema } from './check-database.js';
import { checkTriggers, fixTriggers } from './check-triggers.js';
import type { Finding } from './finding.js';

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** Also log in to each connection (login, API budget, clock skew); default true. */
  salesforce?: boolean;
}

/** Every finding; the sfsync schema first (the rest need it). */
export async function runDoctor(pool: pg.Pool, config: SfsyncConfig, options: DoctorOptions = {}): Promise<Finding[]> {
  const schema = await checkSchema(pool);
  const findings = [schema, await checkWorkerSchema(pool), ...(await checkServerLimits(pool, config))];
  if (schema.status === 'fail') return findings;
  findings.push(...(await checkTriggers(pool)), await checkDeadEngines(pool));
  if (options.salesforce !== false) findings.push(...(await checkConnections(pool, config)));
  return findings;
}

/** What {@link fixProblems} did. */
export interface DoctorFixes {
  /** Tables whose capture function and triggers were re-created. */
  triggers: string[];
  /** Worker pool ids of dead engines whose jobs were unlocked. */
  engines: string[];
}

/** Fix what doctor can fix by itself; the rest needs the operator (migrate, credentials, server settings). */
export async function fixProblems(pool: pg.Pool): Promise<DoctorFixes> {
  const triggers = await fixTriggers(pool);
  const [{ makeWorkerUtils }, { releaseDeadEngines }, { pino }] = await Promise.all([
    import('graphile-worker'),
    import('../../engine/dead-engines.js'),
    import('pino'),
  ]);
  const utils = await makeWorkerUtils({ pgPool: pool });
  try {
    const engines = await releaseDeadEngines(pool, utils, pino({ level: 'silent' }));
    return { triggers, engines };
  } finally {
    await utils.release();
  }
}
