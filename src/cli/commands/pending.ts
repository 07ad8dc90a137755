import type { Command } from 'commander';
import type pg from 'pg';
import { withSession } from '../cli-session.js';
import { parseLimit } from '../global-options.js';
import { formatSeconds, formatTable, formatTime, printJson } from '../output.js';
import { action } from '../run-command.js';

interface PendingFlags {
  mapping?: string;
  limit: string;
  json?: boolean;
}

/** One row with changes still to be sent (a line of `sfsync.open_changes`), JSON-friendly. */
interface PendingRow {
  mappingId: number;
  sobject: string;
  table: string;
  recordId: number;
  sfid: string | null;
  ops: string[];
  inFlight: boolean;
  waitingSince: string;
  waitingSeconds: number;
  attempts: number;
  nextAttemptAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

/** `sfsync pending [--mapping X]`: the rows waiting to be sent to Salesforce, longest waiting first, and why. */
export function registerPending(program: Command): void {
  program
    .command('pending')
    .description('rows with changes still to be sent to Salesforce, longest waiting first, and why they wait')
    .option('--mapping <mapping>', 'only this mapping (object, id or schema.table)')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print them as JSON')
    .action(
      action(async (flags: PendingFlags, command: Command) => {
        const limit = parseLimit(flags.limit);
        const rows = await withSession(command, ({ pool }) => listPending(pool, flags.mapping, limit));
        if (flags.json) printJson({ pending: rows });
        else console.log(formatPending(rows));
      }),
    );
}

async function listPending(pool: pg.Pool, mapping: string | undefined, limit: number): Promise<PendingRow[]> {
  const { rows } = await pool.query(
    `select o.mapping_id::int, m.sobject, o.schema_name || '.' || o.table_name as table, o.record_id::int, o.sfid, o.ops, o.in_flight,
            o.waiting_since, extract(epoch from now() - o.waiting_since)::float8 as waiting_seconds, o.attempts, o.next_attempt_at,
            o.last_error ->> 'code' as error_code, o.last_error ->> 'message' as error_message
       from sfsync.open_changes o join sfsync.mappings m on m.id = o.mapping_id
      where $1::text is null or o.mapping_id = sfsync.resolve_mapping($1)
      order by o.waiting_since, o.mapping_id, o.record_id limit $2`,
    [mapping ?? null, limit],
  );
  return rows.map((r) => ({
    mappingId: r.mapping_id,
    sobject: r.sobject,
    table: r.table,
    recordId: r.record_id,
    sfid: r.sfid,
    ops: r.ops,
    inFlight: r.in_flight,
    waitingSince: new Date(r.waiting_since).toISOString(),
    waitingSeconds: r.waiting_seconds,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at ? new Date(r.next_attempt_at).toISOString() : null,
    errorCode: r.error_code,
    errorMessage: r.error_message,
  }));
}

function formatPending(rows: PendingRow[]): string {
  return formatTable(
    rows,
    [
      { header: 'object', value: (r) => r.sobject },
      { header: 'row', value: (r) => String(r.recordId), right: true },
      { header: 'sfid', value: (r) => r.sfid ?? '-' },
      { header: 'ops', value: (r) => r.ops.join(' ') },
      { header: 'waiting', value: (r) => `${formatSeconds(r.waitingSeconds)}${r.inFlight ? ' (in flight)' : ''}` },
      { header: 'next try', value: (r) => (r.nextAttemptAt ? formatTime(r.nextAttemptAt) : '-') },
      { header: 'why', value: (r) => (r.errorCode ? `${r.errorCode}: ${r.errorMessage ?? ''}` : '-') },
    ],
    'Nothing waiting to be sent.',
  );
}
