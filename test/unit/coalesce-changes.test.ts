/** Merge rules of coalesceChanges: one record's captured changes → the one operation to send. */
import { describe, expect, it } from 'vitest';
import { coalesceChanges, type OutboxChange } from '../../src/outbound/coalesce.js';

let next = 1;
const change = (op: OutboxChange['op'], changed: Record<string, unknown> = {}, extra: Partial<OutboxChange> = {}): OutboxChange => ({
  id: String(next++),
  recordId: '7',
  sfid: null,
  op,
  changed,
  unknownSince: null,
  attempts: 0,
  ...extra,
});

describe('coalesceChanges', () => {
  it('insert + updates → one insert with the latest values', () => {
    const c = coalesceChanges([change('insert', { Name: 'a', Phone: '1' }), change('update', { Name: 'b' }), change('update', { Name: 'c' })]);
    expect(c).toMatchObject({ op: 'insert', values: { Name: 'c', Phone: '1' }, deferredIds: [] });
    expect(c.rowIds).toHaveLength(3);
  });

  it('update + update → one update of the union of fields, latest value each', () => {
    const c = coalesceChanges([change('update', { Name: 'a' }, { sfid: '001A' }), change('update', { Phone: '2' }), change('update', { Name: 'z' })]);
    expect(c).toMatchObject({ op: 'update', values: { Name: 'z', Phone: '2' }, sfid: '001A' });
  });

  it('update + delete → delete with the captured sfid, no values', () => {
    const c = coalesceChanges([change('update', { Name: 'a' }, { sfid: '001A' }), change('delete', {}, { sfid: '001A' })]);
    expect(c).toMatchObject({ op: 'delete', values: {}, sfid: '001A' });
  });

  it('insert + delete never sent → nothing to send', () => {
    expect(coalesceChanges([change('insert', { Name: 'a' }), change('update', { Name: 'b' }), change('delete')]).op).toBe('none');
  });

  it('insert of unknown outcome + delete → delete (the record may exist)', () => {
    const c = coalesceChanges([change('insert', { Name: 'a' }, { unknownSince: new Date(1000) }), change('delete')]);
    expect(c.op).toBe('delete');
    expect(c.unknownSince).toEqual(new Date(1000));
    // The values to find the record by: without an sfid, the push looks it up to delete it.
    expect(c.createdValues).toEqual({ Name: 'a' });
  });

  it('changes after a delete (a reused id) are deferred to the next round', () => {
    const rows = [change('update', { Name: 'a' }, { sfid: '001A' }), change('delete'), change('insert', { Name: 'new' })];
    const c = coalesceChanges(rows);
    expect(c.op).toBe('delete');
    expect(c.rowIds).toEqual([rows[0]!.id, rows[1]!.id]);
    expect(c.deferredIds).toEqual([rows[2]!.id]);
  });

  it('a failed insert re-sent with later updates stays an insert, keeping the highest attempt count and earliest unknown time', () => {
    const c = coalesceChanges([
      change('insert', { Name: 'a' }, { attempts: 3, unknownSince: new Date(5000) }),
      change('update', { Name: 'b' }, { attempts: 1, unknownSince: new Date(2000) }),
    ]);
    expect(c).toMatchObject({ op: 'insert', values: { Name: 'b' }, attempts: 3, unknownSince: new Date(2000) });
  });

  it('merges in numeric outbox id order whatever the input order (9 before 10, 700 before 1000)', () => {
    const base = { recordId: '7', sfid: '001A', unknownSince: null, attempts: 0 } as const;
    const c = coalesceChanges([
      { ...base, id: '1000', op: 'update', changed: { N: 3 } },
      { ...base, id: '700', op: 'update', changed: { N: 2 } },
      { ...base, id: '9', op: 'update', changed: { N: 1 } },
    ]);
    expect(c.values).toEqual({ N: 3 });
    expect(c.rowIds).toEqual(['9', '700', '1000']);
  });

  it('keeps the latest known sfid', () => {
    expect(coalesceChanges([change('update', {}, { sfid: '001A' }), change('update', { X: 1 })]).sfid).toBe('001A');
  });

  it('refuses an empty list', () => {
    expect(() => coalesceChanges([])).toThrow(/at least one/);
  });
});
