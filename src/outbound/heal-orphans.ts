/**
 * Children failed with PARENT_FAILED whose parent row has an sfid by now, by
 * whatever path it came (its own push, a poll matching it by External ID, a
 * reload): retry them (sfsync.retry_failed, which notifies the engine; with
 * missing_ok, as a concurrent retry may settle some first). The
 * push write-back heals at once the children of the parents it inserts
 * (write-back.ts, settleChildren); this sweep, run by the
 * outbox-listener component with each outbox sweep, catches every other way,
 * and any child marked failed just as its parent's sfid arrived.
 */
import pg from 'pg';

/** Retry the PARENT_FAILED changes whose parent now has an sfid; returns how many. */
export async function healOrphans(db: pg.Pool | pg.ClientBase): Promise<number> {
  const { rows: parents } = await db.query<{ mapping_id: string; schema_name: string; table_name: string }>(
    `select m.id::text as mapping_id, m.schema_name, m.table_name
       from sfsync.mappings m
      where m.id::text in (select o.error -> 'parent' ->> 'mappingId' from sfsync.outbox o
                            where o.state = 'failed' and o.error ->> 'code' = 'PARENT_FAILED')`,
  );
  let healed = 0;
  for (const p of parents) {
    const table = `${pg.escapeIdentifier(p.schema_name)}.${pg.escapeIdentifier(p.table_name)}`;
    const { rows } = await db.query<{ n: number }>(
      `select sfsync.retry_failed(p_outbox_ids => array_agg(o.id), missing_ok => true) as n
         from sfsync.outbox o join ${table} parent on parent.id = (o.error -> 'parent' ->> 'recordId')::bigint
        where o.state = 'failed' and o.error ->> 'code' = 'PARENT_FAILED'
          and o.error -> 'parent' ->> 'mappingId' = $1 and parent.sfid is not null
       having count(*) > 0`,
      [p.mapping_id],
    );
    healed += rows[0]?.n ?? 0;
  }
  return healed;
}
