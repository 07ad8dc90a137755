/** Conflict rules (pure) and the generated inbound SQL text. */
import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../src/mapping/field-info.js';
import { decideConflicts, type PendingChange } from '../../src/sync/conflict-rules.js';
import { deleteSql, updateBySfidSql } from '../../src/sync/inbound-sql.js';

const name: FieldInfo = { name: 'Name', column: 'name', type: 'string', pgType: 'varchar(80)', length: 80, precision: 0, scale: 0, nillable: true, createable: true, updateable: true, externalId: false, calculated: false, referenceTo: [], relationshipName: null };
const at = { ...name, name: 'At__c', column: 'at__c', type: 'datetime', pgType: 'timestamp(3)' };

function pending(changed: Record<string, unknown>, old: Record<string, unknown> | null, createdAt = new Date('2024-01-01T00:00:10Z')): PendingChange {
  return { outboxId: '1', state: 'new', op: old ? 'update' : 'insert', changed, old, createdAt };
}

describe('decideConflicts', () => {
  it('keeps a Postgres-only change (Salesforce still has the old value)', () => {
    const out = decideConflicts({ policy: 'salesforce_wins', fields: [name], sfValues: { name: 'old' }, sfModstamp: null, pending: [pending({ Name: 'pg' }, { Name: 'old' })] });
    expect(out).toEqual({ keepColumns: ['name'], dropFromOutbox: [], conflicts: [] });
  });

  it('does nothing when both sides agree', () => {
    const out = decideConflicts({ policy: 'postgres_wins', fields: [name], sfValues: { name: 'same' }, sfModstamp: null, pending: [pending({ Name: 'same' }, { Name: 'old' })] });
    expect(out.conflicts).toEqual([]);
  });

  it('decides by policy when both changed', () => {
    const input = { fields: [name], sfValues: { name: 'sf' }, pending: [pending({ Name: 'pg' }, { Name: 'old' })] };
    expect(decideConflicts({ ...input, policy: 'salesforce_wins', sfModstamp: null }).dropFromOutbox).toEqual(['Name']);
    expect(decideConflicts({ ...input, policy: 'postgres_wins', sfModstamp: null }).keepColumns).toEqual(['name']);
    expect(decideConflicts({ ...input, policy: 'newest_wins', sfModstamp: new Date('2024-01-01T00:00:11Z') }).conflicts[0]?.decision).toBe('salesforce');
    expect(decideConflicts({ ...input, policy: 'newest_wins', sfModstamp: new Date('2024-01-01T00:00:09Z') }).conflicts[0]?.decision).toBe('postgres');
  });

  it('compares datetimes by instant, not by text', () => {
    const out = decideConflicts({ policy: 'salesforce_wins', fields: [at], sfValues: { at__c: '2024-01-02 03:04:05.100' }, sfModstamp: null, pending: [pending({ At__c: '2024-01-02T03:04:05.1' }, { At__c: null })] });
    expect(out.conflicts).toEqual([]);
  });
});

describe('inbound SQL', () => {
  const table = { schema: 'salesforce', table: 'account', fields: [name] };
  it('quotes identifiers and only updates when something differs', () => {
    const sql = updateBySfidSql(table);
    expect(sql).toContain('update "salesforce"."account" as t set "name" = case when \'name\' = any(r._keep) then t."name" else r."name"::varchar(80) end');
    expect(sql).toContain('is distinct from');
    expect(sql).toContain('r.systemmodstamp::timestamp(3) >= t.systemmodstamp');
  });
  it('never deletes a row newer than the deletion', () => {
    expect(deleteSql(table)).toContain('t.systemmodstamp <= r.systemmodstamp::timestamp(3)');
  });
});
