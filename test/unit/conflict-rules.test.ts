/** Conflict rules (pure) and the generated inbound SQL text. */
import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../src/mapping/field-info.js';
import { decideConflicts, type PendingChange } from '../../src/inbound/conflict-rules.js';
import { deleteSql, updateBySfidSql } from '../../src/inbound/apply-sql.js';
import { fieldInfo } from '../support/field-info.js';

const name: FieldInfo = fieldInfo('Name', { pgType: 'varchar(80)', length: 80 });
const at = { ...name, name: 'At__c', column: 'at__c', type: 'datetime', pgType: 'timestamp(3)' };

function pending(changed: Record<string, unknown>, old: Record<string, unknown> | null, createdAt = new Date('2024-01-01T00:00:10Z')): PendingChange {
  return { outboxId: '1', state: 'new', op: old ? 'update' : 'insert', changed, old, createdAt };
}

/** A change claimed by a push (in flight), outbox id `id`. */
function inFlight(id: string, changed: Record<string, unknown>, old: Record<string, unknown> | null): PendingChange {
  return { ...pending(changed, old), outboxId: id, state: 'claimed' };
}

/** An unsent change, outbox id `id`. */
function unsent(id: string, changed: Record<string, unknown>, old: Record<string, unknown> | null): PendingChange {
  return { ...pending(changed, old), outboxId: id };
}

describe('decideConflicts', () => {
  it('keeps a Postgres-only change (Salesforce still has the old value)', () => {
    const out = decideConflicts({
      policy: 'salesforce_wins',
      fields: [name],
      sfValues: { name: 'old' },
      sfModstamp: null,
      pending: [pending({ Name: 'pg' }, { Name: 'old' })],
    });
    expect(out).toEqual({ keepColumns: ['name'], dropFromOutbox: [], dropFrom: [], resend: [], conflicts: [] });
  });

  it('does nothing when both sides agree', () => {
    const out = decideConflicts({
      policy: 'postgres_wins',
      fields: [name],
      sfValues: { name: 'same' },
      sfModstamp: null,
      pending: [pending({ Name: 'same' }, { Name: 'old' })],
    });
    expect(out.conflicts).toEqual([]);
  });

  it('decides by policy when both changed', () => {
    const input = { fields: [name], sfValues: { name: 'sf' }, pending: [pending({ Name: 'pg' }, { Name: 'old' })] };
    expect(decideConflicts({ ...input, policy: 'salesforce_wins', sfModstamp: null }).dropFromOutbox).toEqual(['Name']);
    expect(decideConflicts({ ...input, policy: 'postgres_wins', sfModstamp: null }).keepColumns).toEqual(['name']);
    expect(decideConflicts({ ...input, policy: 'newest_wins', sfModstamp: new Date('2024-01-01T00:00:11Z') }).conflicts[0]?.decision).toBe('salesforce');
    expect(decideConflicts({ ...input, policy: 'newest_wins', sfModstamp: new Date('2024-01-01T00:00:09Z') }).conflicts[0]?.decision).toBe('postgres');
  });

  it('newest_wins compares at whole seconds, as Salesforce stamps them, and gives a tie to Salesforce', () => {
    // The Postgres change at 10.300 s; Salesforce's edit in the same second reads 10.000 s whenever it happened.
    const input = {
      fields: [name],
      sfValues: { name: 'sf' },
      pending: [pending({ Name: 'pg' }, { Name: 'old' }, new Date('2024-01-01T00:00:10.300Z'))],
      policy: 'newest_wins' as const,
    };
    expect(decideConflicts({ ...input, sfModstamp: new Date('2024-01-01T00:00:10.000Z') }).conflicts[0]?.decision).toBe('salesforce');
    expect(decideConflicts({ ...input, sfModstamp: new Date('2024-01-01T00:00:09.000Z') }).conflicts[0]?.decision).toBe('postgres');
  });

  it("sends Salesforce's value again when it wins a field a change in flight carries", () => {
    const input = { fields: [name], sfValues: { name: 'sf' }, sfModstamp: null };
    const out = decideConflicts({
      ...input,
      policy: 'salesforce_wins',
      pending: [inFlight('7', { Name: 'a' }, { Name: 'old' }), inFlight('8', { Name: 'pg' }, { Name: 'a' }), unsent('9', { Name: 'pg2' }, { Name: 'pg' })],
    });
    expect(out).toEqual({
      keepColumns: [],
      dropFromOutbox: ['Name'],
      dropFrom: ['9'],
      resend: [{ field: 'Name', outboxId: '8' }],
      conflicts: [{ field: 'Name', pgValue: 'pg2', sfValue: 'sf', decision: 'salesforce' }],
    });
    // Nothing in flight: dropping the field from the unsent rows is enough.
    expect(decideConflicts({ ...input, policy: 'salesforce_wins', pending: [unsent('9', { Name: 'pg' }, { Name: 'old' })] }).resend).toEqual([]);
    // Postgres wins: its value is in flight and stays.
    expect(decideConflicts({ ...input, policy: 'postgres_wins', pending: [inFlight('7', { Name: 'pg' }, { Name: 'old' })] }).resend).toEqual([]);
  });

  it('takes the value in flight, once landed, for no change in Salesforce', () => {
    const out = decideConflicts({
      policy: 'salesforce_wins',
      fields: [name],
      sfValues: { name: 'a' },
      sfModstamp: null,
      pending: [inFlight('7', { Name: 'a' }, { Name: 'old' }), unsent('8', { Name: 'b' }, { Name: 'a' })],
    });
    expect(out).toEqual({ keepColumns: ['name'], dropFromOutbox: [], dropFrom: [], resend: [], conflicts: [] });
  });

  it('decides nothing new while a re-send and a later local change wait behind the change in flight', () => {
    const rows = [inFlight('7', { Name: 'pg' }, { Name: 'old' }), unsent('8', { Name: 'sf' }, { Name: 'pg' }), unsent('9', { Name: 'later' }, { Name: 'sf' })];
    for (const sf of ['old', 'pg', 'sf']) {
      expect(decideConflicts({ policy: 'salesforce_wins', fields: [name], sfValues: { name: sf }, sfModstamp: null, pending: rows })).toEqual({
        keepColumns: ['name'],
        dropFromOutbox: [],
        dropFrom: [],
        resend: [],
        conflicts: [],
      });
    }
    // A new Salesforce edit is a conflict again, and its value is re-sent after the change in flight.
    expect(decideConflicts({ policy: 'salesforce_wins', fields: [name], sfValues: { name: 'sf2' }, sfModstamp: null, pending: rows })).toMatchObject({
      dropFromOutbox: ['Name'],
      dropFrom: ['8', '9'],
      resend: [{ field: 'Name', outboxId: '7' }],
      conflicts: [{ pgValue: 'later', sfValue: 'sf2' }],
    });
  });

  it('takes the value of a change whose send had an unknown outcome for no change in Salesforce', () => {
    // Sent before a crash (outcome unknown, back to 'new'): it landed, and a later local change waits behind it.
    const landed = { ...unsent('7', { Name: 'a' }, { Name: 'old' }), unknownSince: new Date('2024-01-01T00:00:11Z') };
    const out = decideConflicts({
      policy: 'salesforce_wins',
      fields: [name],
      sfValues: { name: 'a' },
      sfModstamp: null,
      pending: [landed, unsent('8', { Name: 'b' }, { Name: 'a' })],
    });
    expect(out).toEqual({ keepColumns: ['name'], dropFromOutbox: [], dropFrom: [], resend: [], conflicts: [] });
  });

  it('drops nothing from a change of unknown outcome Salesforce won a field of: the winner is re-sent behind it', () => {
    // The insert was sent before a crash (it landed), then Salesforce edited the record; a later local update waits behind it.
    const landed = { ...unsent('7', { Name: 'a', Phone: '1' }, null), op: 'insert' as const, unknownSince: new Date('2024-01-01T00:00:11Z') };
    const out = decideConflicts({
      policy: 'salesforce_wins',
      fields: [name],
      sfValues: { name: 'sf' },
      sfModstamp: null,
      pending: [landed, unsent('8', { Name: 'b' }, { Name: 'a' })],
    });
    expect(out).toEqual({
      keepColumns: [],
      dropFromOutbox: ['Name'],
      dropFrom: ['8'],
      resend: [{ field: 'Name', outboxId: '7' }],
      conflicts: [{ field: 'Name', pgValue: 'b', sfValue: 'sf', decision: 'salesforce' }],
    });
  });

  it("counts unsent rows' old values only after a change in flight", () => {
    // Nothing in flight: Salesforce's 'a' was never sent by sfsync, so it is an edit, even if Postgres held it once.
    const out = decideConflicts({
      policy: 'salesforce_wins',
      fields: [name],
      sfValues: { name: 'a' },
      sfModstamp: null,
      pending: [unsent('7', { Name: 'a' }, { Name: 'old' }), unsent('8', { Name: 'b' }, { Name: 'a' })],
    });
    expect(out.conflicts).toEqual([{ field: 'Name', pgValue: 'b', sfValue: 'a', decision: 'salesforce' }]);
  });

  it('compares datetimes by instant, not by text', () => {
    const out = decideConflicts({
      policy: 'salesforce_wins',
      fields: [at],
      sfValues: { at__c: '2024-01-02 03:04:05.100' },
      sfModstamp: null,
      pending: [pending({ At__c: '2024-01-02T03:04:05.1' }, { At__c: null })],
    });
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
