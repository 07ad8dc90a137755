/**
 * What a schema holds of Heroku Connect: its tables (id, sfid, _hc_lastop),
 * each table's columns, and whether its logger trigger logs for
 * Salesforce (read_write) or only records (read_only, state READONLY). Catalog
 * queries, so SQL text; the table list is `sfsync.heroku_connect_tables`.
 */
import type pg from 'pg';
import { SfsyncError } from '../errors.js';

/** One Heroku Connect table. */
export interface HerokuConnectTable {
  table: string;
  /** Column names, in table order. */
  columns: string[];
  /** From its logger trigger; undefined when the trigger is gone (adopted before). */
  access: 'read_only' | 'read_write' | undefined;
}

/** The Heroku Connect tables of `schema`, by name; fails with one line when the schema has no trigger log. */
export async function findHerokuConnect(client: pg.ClientBase, schema: string): Promise<HerokuConnectTable[]> {
  const { rows: log } = await client.query<{ found: boolean }>(`select to_regclass(format('%I._trigger_log', $1::text)) is not null as found`, [schema]);
  if (!log[0]?.found) {
    throw new SfsyncError(
      'HEROKU_CONNECT_NOT_FOUND',
      `Schema ${schema} has no Heroku Connect trigger log (${schema}._trigger_log); pass the schema Heroku Connect syncs into with --schema.`,
    );
  }
  const { rows } = await client.query<{ table: string; columns: string[]; logger: string | null }>(
    `select t.name as table,
            array(select a.attname::text from pg_attribute a
                   where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns,
            (select p.prosrc from pg_trigger tg join pg_proc p on p.oid = tg.tgfoid
              where tg.tgrelid = c.oid and tg.tgname = format('hc_%s_logtrigger', t.name)) as logger
       from sfsync.heroku_connect_tables($1) t(name)
       join pg_class c on c.relname = t.name
       join pg_namespace n on n.oid = c.relnamespace and n.nspname = $1
      order by t.name`,
    [schema],
  );
  return rows.map((r) => ({
    table: r.table,
    columns: r.columns,
    // Heroku Connect's logger of a read-only mapping records entries as READONLY, which it never sends.
    access: r.logger === null ? undefined : r.logger.includes(`'READONLY'`) ? 'read_only' : 'read_write',
  }));
}
