import { describe, expect, it } from 'vitest';
import { parseBulkError } from '../../src/salesforce/bulk-ingest.js';

describe('parseBulkError', () => {
  it('splits code, message and fields', () => {
    expect(parseBulkError('REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --')).toEqual({
      statusCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [Name]',
      fields: ['Name'],
    });
  });

  it('reads several fields', () => {
    expect(parseBulkError('FIELD_INTEGRITY_EXCEPTION:bad:Name,Phone --').fields).toEqual(['Name', 'Phone']);
  });

  it('drops the trailing :-- of an error that names no field', () => {
    expect(parseBulkError('INVALID_FIELD:Foreign key external ID: A-12 not found for field Ext_Id__c in entity Account:--')).toEqual({
      statusCode: 'INVALID_FIELD',
      message: 'Foreign key external ID: A-12 not found for field Ext_Id__c in entity Account',
      fields: [],
    });
  });

  it('keeps text it cannot read as the message', () => {
    expect(parseBulkError('something odd')).toEqual({ statusCode: 'UNKNOWN_EXCEPTION', message: 'something odd', fields: [] });
  });
});
