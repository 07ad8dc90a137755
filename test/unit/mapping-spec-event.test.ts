/**
 * A mapping's Platform Event trigger in the spec: the event and its Id field
 * go together, the event must be an `__e` name, and the mapping row's
 * statement stores both (mappings.event_channel / event_field).
 */
import { describe, expect, it } from 'vitest';
import { parseMappingSpec } from '../../src/mapping/mapping-spec.js';
import { mappingRowStatement } from '../../src/mapping/plan-statements.js';

const base = { connectionId: '1', sobject: 'Account', fields: ['Name'] };

describe('the event of a mapping', () => {
  it('is stored with its field', () => {
    const spec = parseMappingSpec({ ...base, event: 'Sync_Request__e', eventField: 'Record_Id__c' });
    const text = mappingRowStatement('7', spec, [], undefined);
    expect(text).toContain('event_channel, event_field');
    expect(text).toContain(`'Sync_Request__e', 'Record_Id__c'`);
  });

  it('needs its field, and an __e name', () => {
    expect(() => parseMappingSpec({ ...base, event: 'Sync_Request__e' })).toThrow(/event and eventField go together/);
    expect(() => parseMappingSpec({ ...base, eventField: 'Record_Id__c' })).toThrow(/event and eventField go together/);
    expect(() => parseMappingSpec({ ...base, event: 'Account', eventField: 'Id' })).toThrow(/Platform Event API name ending in __e/);
  });

  it('is left out when not given', () => {
    expect(mappingRowStatement('7', parseMappingSpec(base), [], undefined)).not.toContain('event_channel');
  });
});
