/**
 * Salesforce record Ids: 15 case-sensitive characters plus a 3-character
 * checksum that makes the 18-character form case-insensitive
 * (docs/wire-notes.md, Record Ids).
 */

import { randomInt } from 'node:crypto';

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 3-character suffix of a 15-character Id: one character per 5-character chunk, bit i set when char i is A–Z. */
export function idChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET[bits];
  }
  return suffix;
}

/** The 18-character form of a 15- or 18-character Id (an 18-char input is re-derived, so its case is fixed). */
export function to18(id: string): string {
  const id15 = id.slice(0, 15);
  return id15 + idChecksum(id15);
}

/**
 * Normalise an Id given by a client to its canonical 18-character form, or
 * undefined when it is not an Id. An 18-character Id may arrive in any case:
 * its checksum restores the case of the first 15 characters.
 */
export function normalizeId(raw: string): string | undefined {
  if (raw.length === 15) return /^[a-zA-Z0-9]{15}$/.test(raw) ? raw + idChecksum(raw) : undefined;
  if (raw.length !== 18 || !/^[a-zA-Z0-9]{18}$/.test(raw)) return undefined;
  const suffix = raw.slice(15).toUpperCase();
  let id15 = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = CHECKSUM_ALPHABET.indexOf(suffix[chunk] ?? '');
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const ch = raw[chunk * 5 + i] ?? '';
      id15 += (bits & (1 << i)) !== 0 ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  // Digits carry no case: a set bit on a digit means the Id was never valid.
  return idChecksum(id15) === suffix ? id15 + suffix : undefined;
}

/**
 * Instance tags handed out in this process, never given back: two orgs of one
 * process, side by side or one after the other, never share a tag (a few bytes per org).
 */
const tagsInUse = new Set<string>();

/**
 * A fresh 5-character base-62 instance tag, unique in this process and random
 * across processes (62^5, about 9 × 10^8 values). Real Ids carry their pod and
 * instance in the characters after the key prefix; the emulator puts its tag
 * there, so two emulators' Ids (and org Ids) never look alike.
 */
export function newInstanceTag(): string {
  for (;;) {
    let tag = '';
    for (let i = 0; i < 5; i++) tag += BASE62[randomInt(62)];
    if (!tagsInUse.has(tag)) {
      tagsInUse.add(tag);
      return tag;
    }
  }
}

/**
 * Generates Ids for one org: `<keyPrefix><instance tag 5><counter 7, base 62>` + checksum.
 * Counters are per key prefix (62^7, about 3.5 × 10^12 records each) so Ids stay short and readable in tests.
 */
export class IdGenerator {
  private readonly counters = new Map<string, number>();

  /** @param tag five characters after the prefix that mark the org instance (default: a fresh {@link newInstanceTag}). */
  constructor(readonly tag = newInstanceTag()) {}

  /** The next Id for a key prefix such as `001`. */
  next(keyPrefix: string): string {
    const n = (this.counters.get(keyPrefix) ?? 0) + 1;
    this.counters.set(keyPrefix, n);
    return to18(keyPrefix + this.tag + encodeBase62(n, 7));
  }

  /** Forget every counter (org reset). */
  reset(): void {
    this.counters.clear();
  }
}

function encodeBase62(n: number, width: number): string {
  let out = '';
  let rest = n;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}
