/**
 * The Pub/Sub CDC header bitmaps back into names: `0x…` over the schema's
 * top-level fields (bit 0 = field 0, lowest bit of the last byte), `n-0x…`
 * over the nested record of compound field n, names as `Parent.Child`.
 */
import { describe, expect, it } from 'vitest';
import { bitmapFieldNames, setBits } from '../../src/salesforce/pubsub-bitmap.js';

const address = {
  type: 'record',
  name: 'Address',
  fields: [
    { name: 'Street', type: ['null', 'string'] },
    { name: 'City', type: ['null', 'string'] },
  ],
};
const schema = {
  fields: [
    { name: 'ChangeEventHeader', type: { type: 'record' } },
    { name: 'Name', type: ['null', 'string'] },
    { name: 'Industry', type: ['null', 'string'] },
    { name: 'BillingAddress', type: ['null', address] },
    ...Array.from({ length: 20 }, (_, i) => ({ name: `F${i + 4}__c`, type: ['null', 'string'] })),
  ],
};

describe('bitmapFieldNames', () => {
  it('reads top-level bits from the lowest up, across bytes', () => {
    expect(setBits('0x0206')).toEqual([1, 2, 9]);
    expect(bitmapFieldNames(schema, ['0x0206'])).toEqual(['Name', 'Industry', 'F9__c']);
  });

  it('names nested components of a compound field as Parent.Child', () => {
    expect(bitmapFieldNames(schema, ['0x02', '3-0x02'])).toEqual(['Name', 'BillingAddress.City']);
    expect(bitmapFieldNames(schema, ['3-0x03'])).toEqual(['BillingAddress.Street', 'BillingAddress.City']);
  });

  it('passes names through (CometD form) and skips positions the schema lacks', () => {
    expect(bitmapFieldNames(schema, ['Name', 'LastModifiedDate'])).toEqual(['Name', 'LastModifiedDate']);
    expect(bitmapFieldNames(schema, ['0x80000000'])).toEqual([]);
    expect(bitmapFieldNames(schema, ['1-0x01'])).toEqual([]);
  });
});
