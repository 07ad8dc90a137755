/**
 * A field deleted in Salesforce must not stop its mapping: the query fails
 * with `INVALID_FIELD: No such column 'X' on entity 'Y'`; the field is marked
 * `removed` in `mappings.field_info` (its column stays, it is no longer
 * queried or sent), a warning goes to `mappings.last_error`, and the poll is
 * tried again without it.
 */
import { sql } from 'kysely';
import type pg from 'pg';
import { run, sfsync } from '../db/typed-query.js';
import type { InboundMapping } from './inbound-mapping.js';
import { loadInboundMapping } from './inbound-mapping.js';

const NO_SUCH_COLUMN = /No such column '([^']+)' on entity/i;

/** Mark the field an INVALID_FIELD error names as removed; false when the error is something else. */
export async function markRemovedField(pool: pg.Pool, mapping: InboundMapping, error: unknown): Promise<boolean> {
  const match = NO_SUCH_COLUMN.exec((error as { message?: string }).message ?? '');
  const name = match?.[1];
  const field = name ? mapping.fields.find((f) => !f.removed && f.name.toLowerCase() === name.toLowerCase()) : undefined;
  if (!field) return false;
  const warning = {
    code: 'FIELD_REMOVED',
    message: `Salesforce no longer has ${mapping.sobject}.${field.name}; column ${field.column} is kept but no longer synced. Remove it from the mapping (or restore the field) to clear this warning.`,
  };
  await run(
    pool,
    sfsync
      .updateTable('mappings')
      .set({
        // field_info with the element named so marked removed, in order (jsonb, so SQL).
        field_info: sql<string>`(select jsonb_agg(case when lower(e.f->>'name') = lower(${field.name}) then e.f || '{"removed": true}' else e.f end order by e.ord)
                                  from jsonb_array_elements(field_info) with ordinality as e(f, ord))`,
        last_error: JSON.stringify(warning),
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', mapping.id),
  );
  return true;
}

/** Run `fn`; when it fails on a removed field, mark it and run once more per removed field (at most 5). */
export async function withRemovedFields<T>(pool: pg.Pool, mapping: InboundMapping, fn: (m: InboundMapping) => Promise<T>): Promise<T> {
  let current = mapping;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(current);
    } catch (error) {
      if (attempt >= 5 || !(await markRemovedField(pool, current, error))) throw error;
      current = await loadInboundMapping(pool, current.id, { feed: current.feed ?? false });
    }
  }
}
