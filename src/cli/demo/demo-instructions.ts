/**
 * What the demo prints once it runs: how to connect with psql and three
 * things to try — a Postgres change reaching Salesforce, a Salesforce change
 * reaching Postgres, and a change Salesforce refuses.
 */
import { tasks } from '../../tasks/all-tasks.js';
import type { TaskName } from '../../jobs/payloads.js';

/** Tasks the demo needs that this build does not have (the write or read path not landed yet). */
export function missingParts(): string[] {
  const needed: TaskName[] = ['sfsync:push', 'sfsync:poll', 'sfsync:reload'];
  return needed.filter((name) => tasks[name] === undefined);
}

/** Where things are. */
export interface DemoEndpoints {
  databaseUrl: string;
  emulatorUrl: string;
  metricsUrl: string;
  /** The status page's action token (the demo makes one when none is configured). */
  actionToken: string;
  missing: string[];
  origin: 'restored' | 'seeded';
  dataDir: string;
}

/** Print the connection strings and the three things to try. */
export function printInstructions(e: DemoEndpoints): void {
  const psql = `psql "${e.databaseUrl}"`;
  const token = `TOKEN=$(curl -s ${e.emulatorUrl}/services/oauth2/token -d grant_type=password -d client_id=sfsync-local -d client_secret=sfsync-local-secret -d username=admin@sfsync.test -d password=sfsync | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`;
  const lines = [
    '',
    `sfsync demo is running (${e.origin === 'restored' ? 'records restored from the last run' : 'a freshly seeded org'}; data in ${e.dataDir})`,
    `  Postgres:             ${psql}`,
    `  Salesforce emulator:  ${e.emulatorUrl}  (admin@sfsync.test / sfsync; control API ${e.emulatorUrl}/__emulator/)`,
    `  status page:          ${e.metricsUrl}/   (action token for retry/discard/pause/resume/reload: ${e.actionToken})`,
    `  metrics:              ${e.metricsUrl}/metrics   health: ${e.metricsUrl}/healthz`,
    '',
    'Try:',
    '  1. Postgres → Salesforce: change a row, then look at the most recently modified Account in the emulator',
    `     ${psql} -c "update salesforce.account set name = 'Hello from Postgres' where id = 1"`,
    `     curl -s '${e.emulatorUrl}/__emulator/records/Account?limit=1'`,
    '  2. Salesforce → Postgres: change a record through the REST API, then read the row',
    `     ${token}`,
    `     SFID=$(${psql} -Atc "select sfid from salesforce.account where id = 2")`,
    `     curl -s -X PATCH ${e.emulatorUrl}/services/data/v59.0/sobjects/Account/$SFID -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"Name":"Hello from Salesforce"}'`,
    `     ${psql} -c "select id, sfid, name from salesforce.account where id = 2"`,
    '  3. A change Salesforce refuses: Contact.LastName is required',
    `     ${psql} -c "update salesforce.contact set lastname = null where id = 1"`,
    `     open ${e.metricsUrl}/ (retry it there), or: npx sfsync errors --data-dir ${e.dataDir}     (or: select * from sfsync.failed_changes)`,
    '',
  ];
  if (e.missing.length > 0) {
    lines.push(`Not in this build yet: ${e.missing.join(', ')} — the matching steps above will not show results until they land.`, '');
  }
  console.log(lines.join('\n'));
}
