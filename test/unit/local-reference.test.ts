import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../src/mapping/field-info.js';
import { localReference } from '../../src/mapping/local-reference.js';
import { fieldInfo } from '../support/field-info.js';

const field = (over: Partial<FieldInfo>): FieldInfo =>
  fieldInfo('AccountId', { type: 'reference', pgType: 'varchar(18)', length: 18, referenceTo: ['Account'], relationshipName: 'Account', ...over });

describe('localReference', () => {
  it('names the parent of `@<id>` and `@<Object>:<id>`', () => {
    expect(localReference(field({}), '@12')).toEqual({ object: 'Account', id: '12' });
    expect(localReference(field({ name: 'WhatId', referenceTo: ['Account', 'Opportunity'] }), '@Opportunity:7')).toEqual({ object: 'Opportunity', id: '7' });
  });

  it('is undefined for an sfid, a polymorphic lookup without its object, a removed field and a field that is no lookup', () => {
    expect(localReference(field({}), '001000000000001AAA')).toBeUndefined();
    expect(localReference(field({ referenceTo: ['Account', 'Opportunity'] }), '@7')).toBeUndefined();
    expect(localReference(field({ removed: true }), '@12')).toBeUndefined();
    expect(localReference(field({ type: 'string' }), '@12')).toBeUndefined();
  });
});
