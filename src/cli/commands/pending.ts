import type { Command } from 'commander';
import type { NotNull } from 'kysely';
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
  /** The connection (org) the change goes to. */
  connection: string;
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
  // Imported when run: kysely would cost every command's startup (main.ts registers this command eagerly).
  const { run, sfsync, sql } = await import('../../db/typed-query.js');
  const query = sfsync
    .selectFrom('open_changes as o')
    .innerJoin('mappings as m', 'm.id', 'o.mapping_id')
    .select((eb) => [
      eb.cast<number>('o.mapping_id', 'integer').as('mapping_id'),
      'o.connection',
      'm.sobject',
      sql<string>`o.schema_name || '.' || o.table_name`.as('table'),
      eb.cast<number>('o.record_id', 'integer').as('record_id'),
      'o.sfid',
      'o.ops',
      'o.in_flight',
      'o.waiting_since',
      sql<number>`extract(epoch from now() - o.waiting_since)::float8`.as('waiting_seconds'),
      'o.attempts',
      'o.next_attempt_at',
      sql<string | null>`o.last_error ->> 'code'`.as('error_code'),
      sql<string | null>`o.last_error ->> 'message'`.as('error_message'),
    ])
    // A view's columns all read as nullable; these come from not-null columns of the outbox.
    .$narrowType<{ connection: NotNull; ops: NotNull; in_flight: NotNull; waiting_since: NotNull; attempts: NotNull }>()
    .orderBy('o.waiting_since')
    .orderBy('o.mapping_id')
    .orderBy('o.record_id')
    .limit(limit);
  const rows = await run(pool, mapping === undefined ? query : query.where('o.mapping_id', '=', sql<string>`sfsync.resolve_mapping(${mapping})`));
  return rows.map((r) => ({
    mappingId: r.mapping_id,
    connection: r.connection,
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
      { header: 'connection', value: (r) => r.connection },
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
