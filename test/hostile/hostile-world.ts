/**
 * The world every hostile input is tried against, built through the real CLI
 * so it is what an operator has after a normal start:
 * - a migrated database (DATABASE_URL), the emulator as Salesforce
 *   (SFSYNC_LOGIN_URL and credentials in the environment), no config file;
 * - connection `default` (id 1, the emulator's login URL);
 * - mapping 1: Account → salesforce.account, read_write (Name, Industry);
 * - mapping 2: Contact → salesforce.contact, read_only (LastName, Email);
 * - four changes of mapping 1 in sfsync.outbox: two failed, two succeeded;
 * - no engine running, so whatever a case queued would still be there.
 */
import { expect } from 'vitest';
import { createCliWorld, parseJson, type CliWorld } from '../cli/cli-env.js';

/** Build the world; `close()` removes it. */
export async function createHostileWorld(): Promise<CliWorld> {
  const world = await createCliWorld();
  try {
    parseJson(await world.sfsync(['connect', '--json']));
    parseJson(await world.sfsync(['map', 'Account', '--fields', 'Name,Industry', '--mode', 'read_write', '--json']));
    parseJson(await world.sfsync(['map', 'Contact', '--fields', 'LastName,Email', '--json']));
    await world.pool.query(
      "insert into salesforce.account (name, industry) values ('Acme', 'Energy'), ('Globex', 'Retail'), ('Initech', 'Tech'), ('Umbrella', 'Health')",
    );
    // Inserts are logged by id; drain them into the outbox as a claim would.
    await world.pool.query('select sfsync.drain_inserts(id) from sfsync.mappings');
    await world.pool.query(`
      with o as (select id, row_number() over (order by id) as n from sfsync.outbox)
      update sfsync.outbox b
         set state = (case when o.n <= 2 then 'failed' else 'success' end)::sfsync.outbox_state,
             error = case when o.n <= 2 then '{"code": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Industry is required"}'::jsonb end,
             done_at = now()
        from o where o.id = b.id`);
    const { rows } = await world.pool.query("select string_agg(state::text, ',' order by id) as s from sfsync.outbox");
    expect(rows[0].s).toBe('failed,failed,success,success');
    return world;
  } catch (error) {
    await world.close();
    throw error;
  }
}

/**
 * Everything a hostile input could change: sfsync's rows (secrets excepted:
 * none are stored), the mapped tables' columns, rows and triggers, queued
 * jobs, and every schema's tables (a mapping must not land anywhere new).
 */
export async function snapshotWorld(world: CliWorld): Promise<string> {
  const { rows } = await world.pool.query(`
    select json_build_object(
      'connections', (select json_agg(c order by c.id) from sfsync.connections c),
      'mappings', (select json_agg(m order by m.id) from sfsync.mappings m),
      'outbox', (select json_agg(json_build_object('id', o.id, 'state', o.state, 'changed', o.changed, 'error', o.error, 'attempts', o.attempts) order by o.id) from sfsync.outbox o),
      'deferred', (select count(*) from sfsync.deferred_inserts),
      'windows', (select count(*) from sfsync.poll_windows),
      'account', (select json_agg(a order by a.id) from salesforce.account a),
      'contact', (select count(*) from salesforce.contact),
      'columns', (select json_agg(table_schema || '.' || table_name || '.' || column_name || ':' || data_type order by 1)
                    from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema')),
      'triggers', (select json_agg(tgrelid::regclass::text || '.' || tgname order by 1) from pg_trigger where not tgisinternal),
      'functions', (select json_agg(p.oid::regprocedure::text order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                     where n.nspname not in ('pg_catalog', 'information_schema')),
      'jobs', (select json_agg(json_build_object('task', t.identifier, 'key', j.key, 'payload', j.payload, 'attempts', j.attempts) order by j.id)
                 from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id)
    ) as s`);
  return JSON.stringify(rows[0].s);
}
