/**
 * The CDC header's bitmap fields over Pub/Sub (changedFields, nulledFields,
 * diffFields): instead of field names, a list of hex strings. The first,
 * `0x…`, sets bit i for the schema's field i (bit 0 is the lowest bit of
 * the last byte: `0x05` is fields 0 and 2); it is left out when no top-level
 * field is named. Each compound field with named components adds
 * `<its position>-0x…`, a bitmap over the nested record's fields.
 *
 * @example
 * encodeBitmap([3, 9]) // '0x0208'
 * fieldBitmaps(new Set([3]), new Map([[7, new Set([1, 2])]])) // ['0x08', '7-0x06']
 */

/** Hex bitmap (`0x` + upper-case, whole bytes) of bit positions. */
export function encodeBitmap(positions: Iterable<number>): string {
  let bits = 0n;
  for (const position of positions) bits |= 1n << BigInt(position);
  const hex = bits.toString(16).toUpperCase();
  return `0x${hex.length % 2 === 0 ? hex : `0${hex}`}`;
}

/** The bitmap list: top-level positions first (when any), then one `n-0x…` per compound field, by position. */
export function fieldBitmaps(topLevel: ReadonlySet<number>, nested: ReadonlyMap<number, ReadonlySet<number>>): string[] {
  const out: string[] = [];
  if (topLevel.size > 0) out.push(encodeBitmap(topLevel));
  for (const [position, components] of [...nested].sort((a, b) => a[0] - b[0])) {
    if (components.size > 0) out.push(`${position}-${encodeBitmap(components)}`);
  }
  return out;
}
