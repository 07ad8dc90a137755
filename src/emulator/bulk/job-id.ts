/**
 * Bulk job Ids: key prefix `750`, 15 characters plus the 3-character checksum
 * of SALESFORCE-API.md §5.1, so they look and validate like real job Ids.
 */

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Key prefix of AsyncApexJob / Bulk jobs. */
export const JOB_KEY_PREFIX = '750';

/** The 18-character form of a 15-character Id (§5.1: one checksum char per 5-char chunk). */
export function withChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET[bits];
  }
  return id15 + suffix;
}

/** Issues `750…` job Ids for one emulator: `750` + pod `5g` + a 10-digit base-62 counter + checksum. */
export class JobIdGenerator {
  private counter = 0;

  /** The next job Id, e.g. `7505g0000000001AAA`. */
  next(): string {
    this.counter += 1;
    let digits = '';
    for (let rest = this.counter; rest > 0; rest = Math.floor(rest / 62)) digits = BASE62[rest % 62] + digits;
    return withChecksum(`${JOB_KEY_PREFIX}5g${digits.padStart(10, '0')}`);
  }
}

/**
 * The canonical 18-character form of a job Id given in a URL (15 or 18 chars,
 * any case for 18), so `GET /jobs/ingest/<15-char id>` finds the job as Salesforce does.
 */
export function canonicalJobId(raw: string): string {
  if (raw.length === 15) return withChecksum(raw);
  if (raw.length !== 18) return raw;
  const suffix = raw.slice(15).toUpperCase();
  let id15 = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = CHECKSUM_ALPHABET.indexOf(suffix[chunk] ?? '');
    for (let i = 0; i < 5; i++) {
      const ch = raw[chunk * 5 + i] ?? '';
      id15 += bits >= 0 && (bits & (1 << i)) !== 0 ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return withChecksum(id15) === id15 + suffix ? id15 + suffix : raw;
}
