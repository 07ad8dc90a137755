/**
 * The CDC header bitmaps the Pub/Sub API sends: hex of field positions in
 * the Avro schema (upper case, whole bytes), `n-0x…` for the components of
 * compound field n, and the positions the emulator's Account schema gives.
 */
import { describe, expect, it } from 'vitest';
import { Org } from '../src/index.js';
import { cdcSchema } from '../src/pubsub/avro-schema.js';
import { bitmapOf } from '../src/pubsub/avro-event.js';
import { EventSchemas } from '../src/pubsub/event-schemas.js';
import { encodeBitmap, fieldBitmaps } from '../src/pubsub/field-bitmap.js';

describe('field bitmaps', () => {
  it('encodes positions as whole upper-case bytes, bit 0 lowest', () => {
    expect(encodeBitmap([0])).toBe('0x01');
    expect(encodeBitmap([3, 9])).toBe('0x0208');
    expect(encodeBitmap([5, 6, 7, 10, 24, 26, 29, 30])).toBe('0x650004E0');
  });

  it('lists the top-level bitmap first, then compound fields by position, and leaves out empty parts', () => {
    expect(fieldBitmaps(new Set([3]), new Map([[7, new Set([1, 2])]]))).toEqual(['0x08', '7-0x06']);
    expect(fieldBitmaps(new Set(), new Map([[4, new Set([4])]]))).toEqual(['4-0x10']);
    expect(fieldBitmaps(new Set(), new Map())).toEqual([]);
  });

  it('counts positions in the object schema: the header is 0, addresses nest their components', () => {
    const org = new Org();
    const account = org.schema.getObject('Account')!;
    const { schema } = cdcSchema(account);
    const names = (schema['fields'] as Array<{ name: string }>).map((f) => f.name);
    const compiled = new EventSchemas(org.schema).of(account);
    const billing = names.indexOf('BillingAddress');
    const city = compiled.layout[billing - 1]!;
    expect(city.kind).toBe('compound');
    const cityIndex = city.kind === 'compound' ? city.components.findIndex((c) => c.name === 'City') : -1;
    expect(bitmapOf(compiled, ['Name', 'BillingCity'])).toEqual([encodeBitmap([names.indexOf('Name')]), `${billing}-${encodeBitmap([cityIndex])}`]);
    org.stop();
  });
});
