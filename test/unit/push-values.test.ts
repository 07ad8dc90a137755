/** Captured Postgres values → Salesforce REST values, record bodies per operation, back-off. */
import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../src/mapping/field-info.js';
import { backoffMs, toSalesforceRecord, toSalesforceValue } from '../../src/outbound/values.js';
import { fieldInfo } from '../support/field-info.js';

const field = (name: string, type: string, extra: Partial<FieldInfo> = {}): FieldInfo => fieldInfo(name, { type, ...extra });

describe('toSalesforceValue', () => {
  it('adds Z to a zone-less datetime (sfsync stores UTC) and keeps an explicit zone', () => {
    expect(toSalesforceValue({ type: 'datetime' }, '2024-01-02T03:04:05.123')).toBe('2024-01-02T03:04:05.123Z');
    expect(toSalesforceValue({ type: 'datetime' }, '2024-01-02T03:04:05.123+02:00')).toBe('2024-01-02T03:04:05.123+02:00');
    expect(toSalesforceValue({ type: 'datetime' }, '2024-01-02T03:04:05Z')).toBe('2024-01-02T03:04:05Z');
  });

  it('gives a time milliseconds and a Z', () => {
    expect(toSalesforceValue({ type: 'time' }, '10:20:30')).toBe('10:20:30.000Z');
    expect(toSalesforceValue({ type: 'time' }, '10:20:30.5')).toBe('10:20:30.5Z');
    expect(toSalesforceValue({ type: 'time' }, '10:20:30.000Z')).toBe('10:20:30.000Z');
  });

  it('passes null, numbers, booleans and other strings through', () => {
    expect(toSalesforceValue({ type: 'string' }, undefined)).toBeNull();
    expect(toSalesforceValue({ type: 'double' }, 1.5)).toBe(1.5);
    expect(toSalesforceValue({ type: 'boolean' }, false)).toBe(false);
    expect(toSalesforceValue({ type: 'date' }, '2024-01-02')).toBe('2024-01-02');
  });
});

describe('toSalesforceRecord', () => {
  const fields = [
    field('Name', 'string'),
    field('Ext__c', 'string', { updateable: false }),
    field('Formula__c', 'string', { createable: false, updateable: false }),
    field('Old__c', 'string', { removed: true }),
  ];

  it('insert: createable mapped fields present in the values only', () => {
    expect(toSalesforceRecord(fields, { Name: 'a', Ext__c: 'x', Formula__c: 'f', Old__c: 'o' }, 'insert')).toEqual({ Name: 'a', Ext__c: 'x' });
  });

  it('update: updateable fields only; an absent field is not sent, a null one is', () => {
    expect(toSalesforceRecord(fields, { Name: null, Ext__c: 'x' }, 'update')).toEqual({ Name: null });
    expect(toSalesforceRecord(fields, {}, 'update')).toEqual({});
  });
});

describe('backoffMs', () => {
  it('doubles per attempt with full jitter in [ceiling/2, ceiling], capped', () => {
    expect(backoffMs(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(0, 100, 10_000, () => 0)).toBe(50);
  });
});
