/**
 * Automation that publishes a Platform Event on record save (a flow's
 * "publish after commit"): one event per saved record and transaction, with
 * the record's Id in the named field, only once the save is visible; a save
 * rolled back publishes nothing; a rule naming an unknown event is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Org } from '../src/index.js';
import type { PlatformEventMessage } from '../src/ports.js';

const schema = { objects: [{ name: 'Sync_Request__e', fields: [{ name: 'Record_Id__c', type: 'string' as const, length: 255 }] }] };
let org: Org;
afterEach(() => org?.stop());

function orgWithRule(on: Array<'insert' | 'update'> = ['insert', 'update']): { org: Org; events: PlatformEventMessage[] } {
  org = new Org({ schema, automation: [{ object: 'Account', on, publish: { event: 'Sync_Request__e', idField: 'Record_Id__c' } }] });
  const events: PlatformEventMessage[] = [];
  org.onPlatformEvent((e) => events.push(e));
  return { org, events };
}

describe('automation that publishes a Platform Event', () => {
  it('publishes one event per saved record, naming its Id', () => {
    const { org, events } = orgWithRule();
    const [a, b] = org.write(
      [
        { kind: 'create', object: 'Account', values: { Name: 'A' } },
        { kind: 'create', object: 'Account', values: { Name: 'B' } },
      ],
      { allOrNone: true },
      org.systemContext(),
    );
    expect(events.map((e) => [e.object, e.payload.Record_Id__c])).toEqual([
      ['Sync_Request__e', a!.success && a!.id],
      ['Sync_Request__e', b!.success && b!.id],
    ]);
  });

  it('fires only on the saves it names, and never for a rolled-back save', () => {
    const { org, events } = orgWithRule(['update']);
    const [created] = org.write([{ kind: 'create', object: 'Account', values: { Name: 'A' } }], { allOrNone: true }, org.systemContext());
    expect(events).toEqual([]);
    const id = created!.success ? created!.id! : '';
    org.write(
      [
        { kind: 'update', id, values: { Name: 'A2' } },
        { kind: 'update', id: '001000000000000AAA', values: { Name: 'nobody' } },
      ],
      { allOrNone: true },
      org.systemContext(),
    );
    expect(events).toEqual([]);
    org.write([{ kind: 'update', id, values: { Name: 'A3' } }], { allOrNone: true }, org.systemContext());
    expect(events.map((e) => e.payload.Record_Id__c)).toEqual([id]);
  });

  it('refuses a rule naming something that is not a platform event, or a missing field', () => {
    org = new Org({ schema });
    expect(() => org.addAutomation({ object: 'Account', publish: { event: 'Account', idField: 'Name' } })).toThrow(/not a platform event/);
    expect(() => org.addAutomation({ object: 'Account', publish: { event: 'Sync_Request__e', idField: 'Nope__c' } })).toThrow(/no field Nope__c/);
    expect(() => org.addAutomation({ object: 'Account' })).toThrow(/either sets a field or publishes/);
  });
});
