/**
 * The inbound apply's statements with the change feed on (src/inbound/feed-sql.ts):
 * the plain statement inside a CTE that appends to sfsync.feed_pending and
 * returns the applied count; with the feed off the statements are unchanged.
 */
import { describe, expect, it } from 'vitest';
import { deleteSql, insertSql, updateBySfidSql, type InboundTable } from '../../src/inbound/apply-sql.js';
import { configSchema } from '../../src/config/config-schema.js';
import { mergeSql } from '../../src/inbound/load-sql.js';
import type { FieldInfo } from '../../src/mapping/field-info.js';

const field = (name: string, column: string, pgType: string) => ({ name, column, pgType }) as FieldInfo;
const table: InboundTable = {
  schema: 'salesforce',
  table: 'account',
  fields: [field('Name', 'name', 'varchar(255)'), field('Phone', 'phone', 'varchar(40)')],
  externalIdColumn: 'name',
};
const feed = { connectionId: '3', mappingId: '7', sobject: 'Account' };

describe('inbound statements with the feed on', () => {
  it('leaves the statements as they are when the feed is off', () => {
    expect(updateBySfidSql(table)).not.toContain('feed');
    expect(insertSql(table)).not.toContain('feed');
    expect(deleteSql(table)).not.toContain('feed');
  });

  it('an update compares with the old row and appends only rows whose fields or stamp changed', () => {
    const text = updateBySfidSql(table, feed);
    expect(text.startsWith('with applied as (\nupdate "salesforce"."account" as t set')).toBe(true);
    expect(text).toContain(', "salesforce"."account" as o\nwhere t.sfid = r.sfid and o.id = t.id');
    expect(text).toContain(
      `(case when t."name" is distinct from o."name" then jsonb_build_object('Name', t."name") else '{}'::jsonb end || case when t."phone" is distinct from o."phone" then jsonb_build_object('Phone', t."phone") else '{}'::jsonb end) as changed`,
    );
    expect(text).toContain(
      `select '3'::bigint, '7'::bigint, 'Account', a.sfid, a.id, 'inbound', case when a.deleted then 'delete' else 'update' end::sfsync.outbox_op`,
    );
    expect(text).toContain(`where a.deleted or a.changed <> '{}'::jsonb or a.systemmodstamp is distinct from a.old_stamp order by a.id`);
    expect(text.endsWith('select count(*)::int as n from applied')).toBe(true);
  });

  it('an insert appends its non-null values, a delete an empty change', () => {
    expect(insertSql(table, feed)).toContain(
      `returning id, sfid, systemmodstamp, jsonb_strip_nulls(jsonb_build_object('Name', "name", 'Phone', "phone")) as changed`,
    );
    expect(deleteSql(table, feed)).toContain(`'delete'::sfsync.outbox_op, '{}'::jsonb, a.systemmodstamp`);
  });

  it("a reload's merge appends its update, insert and gone rows, each counted by n", () => {
    const t = { ...table, externalIdColumn: undefined, deleteMode: 'delete' as const, mode: 'read_only' as const };
    const plain = mergeSql(t, ['sfid', 'name', 'phone', 'systemmodstamp'], false, '7', new Date(0));
    const fed = mergeSql(t, ['sfid', 'name', 'phone', 'systemmodstamp'], false, '7', new Date(0), feed);
    expect(plain.every((m) => !m.text.includes('feed_pending') && !m.counted)).toBe(true);
    expect(fed.map((m) => m.counted)).toEqual([true, true, true]);
    expect(fed[0]!.text).toContain('from sfsync_load_stage as s, "salesforce"."account" as o where t.sfid = s.sfid and o.id = t.id');
    expect(fed[2]!.text).toContain('returning t.id, t.sfid, null::timestamp(3) as systemmodstamp');
  });

  it('the feed is off unless configured, and keeps 24 hours', () => {
    expect(configSchema.parse({}).feed).toEqual({ enabled: false, retentionHours: 24 });
  });
});
