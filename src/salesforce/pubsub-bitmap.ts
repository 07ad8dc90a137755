/**
 * The Pub/Sub API's CDC header bitmaps back into field names. Over Pub/Sub,
 * `changedFields`, `nulledFields` and `diffFields` are lists of hex bitmaps:
 * `0x…` sets bit i for the Avro schema's field i (bit 0 = lowest bit), and
 * `n-0x…` sets bits of the nested record of compound field n (an address),
 * named `Parent.Child`.
 *
 * @example
 * // schema fields: ChangeEventHeader, Name, Industry, BillingAddress{Street, City}
 * bitmapFieldNames(schema, ['0x04', '3-0x02']) // ['Industry', 'BillingAddress.City']
 */

/** The parts of an Avro record schema the bitmaps index. */
export interface AvroRecordSchema {
  fields: Array<{ name: string; type: unknown }>;
}

/** Field names of a bitmap list; entries that are already names (CometD form) pass through. */
export function bitmapFieldNames(schema: AvroRecordSchema, bitmaps: readonly string[]): string[] {
  const names: string[] = [];
  for (const entry of bitmaps) {
    const nested = /^(\d+)-(0x[0-9A-Fa-f]+)$/.exec(entry);
    if (nested !== null) {
      const parent = schema.fields[Number(nested[1])];
      const record = parent === undefined ? undefined : recordOf(parent.type);
      if (parent === undefined || record === undefined) continue;
      for (const i of setBits(nested[2]!)) {
        const child = record.fields[i];
        if (child !== undefined) names.push(`${parent.name}.${child.name}`);
      }
    } else if (/^0x[0-9A-Fa-f]+$/.test(entry)) {
      for (const i of setBits(entry)) {
        const field = schema.fields[i];
        if (field !== undefined) names.push(field.name);
      }
    } else names.push(entry);
  }
  return names;
}

/** Positions of the set bits of a `0x…` bitmap, lowest first. */
export function setBits(hex: string): number[] {
  let bits = BigInt(hex);
  const out: number[] = [];
  for (let i = 0; bits > 0n; i++, bits >>= 1n) if ((bits & 1n) === 1n) out.push(i);
  return out;
}

/** The record inside an optional type (`['null', {type:'record',…}]`). */
function recordOf(type: unknown): AvroRecordSchema | undefined {
  const options = Array.isArray(type) ? type : [type];
  const record = options.find(
    (t): t is AvroRecordSchema & { type: string } => typeof t === 'object' && t !== null && (t as { type?: unknown }).type === 'record',
  );
  return record;
}
