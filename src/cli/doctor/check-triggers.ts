/**
 * Doctor check of every read_write mapping's capture: the three capture
 * triggers (insert, update, delete), the TRUNCATE guard and the guard against
 * id changes exist and are enabled, the three call the table's capture
 * function, and that function is the one this
 * sfsync renders for the mapping's stored fields (a function edited by hand,
 * or left by an older sfsync, is stale; so is the single row-level trigger
 * `tg_<table>__capture` older versions installed). A change written while any
 * of these is wrong never reaches the outbox (or, with the old trigger left
 * beside the new ones, reaches it twice).
 *
 * `--fix` re-creates the function and the triggers of the mappings found
 * wrong, in one transaction under the mapping lock (the statements
 * `sfsync map` uses), so no app write slips between a drop and a create.
 * The drain functions are checked too: without the update drain, the
 * table's logged updates are not pushed.
 */
import type pg from 'pg';
import { MAPPING_LOCK_KEY } from '../../db/locks.js';
import type { FieldInfo } from '../../mapping/field-info.js';
import { mappingNames } from '../../mapping/mapping-names.js';
import { triggerStatements } from '../../mapping/plan-statements.js';
import { ok, problem, type Finding } from './finding.js';

interface MappedTable {
  id: string;
  sobject: string;
  schema: string;
  table: string;
  fieldInfo: FieldInfo[];
}

interface InstalledTrigger {
  name: string;
  /** pg_trigger.tgenabled: O (origin), A (always), R (replica only), D (disabled). */
  enabled: string;
  functionName: string;
}

async function readWriteMappings(db: pg.ClientBase | pg.Pool): Promise<MappedTable[]> {
  const { rows } = await db.query<{ id: string; sobject: string; schema_name: string; table_name: string; field_info: FieldInfo[] }>(
    `select id::text, sobject, schema_name, table_name, field_info from sfsync.mappings where mode = 'read_write' and field_info <> '[]'::jsonb order by id`,
  );
  return rows.map((r) => ({ id: r.id, sobject: r.sobject, schema: r.schema_name, table: r.table_name, fieldInfo: r.field_info }));
}

type GeneratedFunction = 'capture' | 'drain' | 'drain_updates';

/** The statements creating the functions this sfsync would install for `m`, by dollar quote: the capture function and the two drains. */
function expectedFunctions(m: MappedTable): Record<GeneratedFunction, string> {
  const statements = triggerStatements(mappingNames(m.schema, m.table), m.id, m.fieldInfo, { drop: false, create: true });
  const find = (quote: GeneratedFunction) => statements.find((s) => s.startsWith('create or replace function') && s.includes(`$${quote}$`))!;
  return { capture: find('capture'), drain: find('drain'), drain_updates: find('drain_updates') };
}

/** The body (between its dollar quotes `$<quote>$`) of a statement of {@link expectedFunctions}. */
function bodyOf(statement: string, quote: GeneratedFunction): string {
  const tag = `$${quote}$`;
  return statement.slice(statement.indexOf(tag) + tag.length, statement.lastIndexOf(tag));
}

/** The installed body of function `schema.name`, or undefined when there is none. */
async function installedBody(db: pg.ClientBase | pg.Pool, schema: string, name: string): Promise<string | undefined> {
  const { rows } = await db.query<{ body: string }>(
    'select p.prosrc as body from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1 and p.proname = $2',
    [schema, name],
  );
  return rows[0]?.body;
}

/** What is wrong with a mapping's capture, and what that does to the table's changes. */
interface Diagnosis {
  wrong: string;
  effect: string;
}

const TABLE_MISSING = 'the table is missing';
const NOT_CAPTURED = 'app changes to this table are not captured';

/** What is wrong with `m`'s capture, or undefined when nothing is. */
async function diagnose(db: pg.ClientBase | pg.Pool, m: MappedTable): Promise<Diagnosis | undefined> {
  const wrong = await diagnoseCapture(db, m);
  return wrong === undefined ? diagnoseFunctions(db, m) : { wrong, effect: NOT_CAPTURED };
}

/** What is wrong with `m`'s table or triggers, or undefined when nothing is. */
async function diagnoseCapture(db: pg.ClientBase | pg.Pool, m: MappedTable): Promise<string | undefined> {
  const names = mappingNames(m.schema, m.table).raw;
  const capture = names.captureTrigger;
  const events = [names.insertTrigger, names.updateTrigger, names.deleteTrigger];
  const { rows: table } = await db.query('select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2', [
    m.schema,
    m.table,
  ]);
  if (table.length === 0) return TABLE_MISSING;
  const { rows } = await db.query<InstalledTrigger>(
    `select t.tgname as name, t.tgenabled as enabled, p.proname as "functionName"
       from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace join pg_proc p on p.oid = t.tgfoid
      where n.nspname = $1 and c.relname = $2 and not t.tgisinternal`,
    [m.schema, m.table],
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  if (byName.has(capture)) return `trigger ${capture} is stale (the row-level capture of an older sfsync; it is three triggers now)`;
  for (const name of [...events, names.truncateTrigger, names.keepIdTrigger]) {
    const trigger = byName.get(name);
    if (!trigger) return `trigger ${name} is missing`;
    if (trigger.enabled === 'D') return `trigger ${name} is disabled`;
    if (trigger.enabled === 'R') return `trigger ${name} fires only in replica sessions`;
  }
  for (const name of events) {
    if (byName.get(name)!.functionName !== capture) return `trigger ${name} calls ${byName.get(name)!.functionName}(), not ${capture}()`;
  }
  return undefined;
}

/**
 * What is wrong with `m`'s generated functions, as this sfsync renders them
 * for the mapping's fields, or undefined when nothing is. Without the insert
 * drain sfsync.drain_inserts still drains, by a statement it builds and plans
 * on every call; without the update drain the table's logged updates are not
 * pushed: only it knows how its capture function laid out their images.
 */
async function diagnoseFunctions(db: pg.ClientBase | pg.Pool, m: MappedTable): Promise<Diagnosis | undefined> {
  const names = mappingNames(m.schema, m.table).raw;
  const expected = expectedFunctions(m);
  for (const [name, quote, effect] of [
    [names.captureTrigger, 'capture', NOT_CAPTURED],
    [names.drainFunction, 'drain', "the table's logged inserts are drained by a slower statement built on every claim"],
    [names.drainUpdatesFunction, 'drain_updates', "the table's logged updates are not pushed"],
  ] as const) {
    const body = await installedBody(db, m.schema, name);
    if (body === undefined) return { wrong: `function ${name}() is missing`, effect };
    if (body !== bodyOf(expected[quote], quote))
      return { wrong: `function ${name}() is stale (not what this sfsync installs for the mapping's fields)`, effect };
  }
  return undefined;
}

/**
 * Whether `m`'s capture function is the one this sfsync renders and its
 * update drain is missing: then the drain can be re-created alone, since it
 * reads the images in the layout that capture function logs them in.
 */
async function onlyDrainUpdatesMissing(db: pg.ClientBase, m: MappedTable): Promise<boolean> {
  const names = mappingNames(m.schema, m.table).raw;
  if ((await installedBody(db, m.schema, names.drainUpdatesFunction)) !== undefined) return false;
  return (await installedBody(db, m.schema, names.captureTrigger)) === bodyOf(expectedFunctions(m).capture, 'capture');
}

/** One finding per read_write mapping. */
export async function checkTriggers(pool: pg.Pool): Promise<Finding[]> {
  const mappings = await readWriteMappings(pool);
  if (mappings.length === 0) return [ok('capture-trigger', 'read_write mappings', 'none to check')];
  const findings: Finding[] = [];
  for (const m of mappings) {
    const subject = `${m.schema}.${m.table} (${m.sobject}, mapping ${m.id})`;
    const found = await diagnose(pool, m);
    findings.push(
      found === undefined
        ? ok('capture-trigger', subject, 'capture triggers, functions and guards (TRUNCATE, id changes) installed and enabled')
        : problem(
            'fail',
            'capture-trigger',
            subject,
            `${found.wrong}: ${found.effect}`,
            found.wrong === TABLE_MISSING ? `run \`sfsync unmap ${m.sobject}\`, then map it again` : 'run `sfsync doctor --fix`',
          ),
    );
  }
  return findings;
}

/** Re-create the capture of every read_write mapping found wrong (tables that exist); returns the tables fixed. */
export async function fixTriggers(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  const fixed: string[] = [];
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [MAPPING_LOCK_KEY]);
    for (const m of await readWriteMappings(client)) {
      const found = await diagnose(client, m);
      if (found === undefined || found.wrong === TABLE_MISSING) continue;
      // Re-creating the capture moves the logged updates into the outbox first, which needs their drain.
      if (await onlyDrainUpdatesMissing(client, m)) await client.query(expectedFunctions(m).drain_updates);
      for (const statement of triggerStatements(mappingNames(m.schema, m.table), m.id, m.fieldInfo, { drop: true, create: true }))
        await client.query(statement);
      fixed.push(`${m.schema}.${m.table}`);
    }
    await client.query('commit');
    return fixed;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
