/**
 * Queries that name many values (`Id IN (…)`, an External ID `IN (…)`) go out
 * as a REST GET whose URI carries the whole SOQL, url-encoded (query-pages.ts).
 * Salesforce answers 414 past 16,384 bytes of URI, and 431 past 16,384 bytes of
 * URI and headers together. 300 Ids take ~9,000 bytes encoded (30 each: the
 * quotes, comma and space are escaped), so a wide object's field list with
 * them passed the limit: such queries are split by their encoded length as
 * well as by a count.
 *
 * @example
 * for (const run of soqlChunks(ids, (some) => windowSoql({ sobject, fields, ids: some }), 300)) await read(run.soql);
 */

/**
 * Most bytes of url-encoded SOQL in one query; default 14,000: the
 * `/services/data/vXX.X/queryAll?q=` path (~35 bytes) and the request's
 * headers (under 1 KB: the session's bearer token, content type, host) keep
 * the URI and both together under 16,384.
 */
export const MAX_ENCODED_SOQL_BYTES = 14_000;

/** Bytes `soql` takes in a query URI. */
export function encodedSoqlBytes(soql: string): number {
  return Buffer.byteLength(encodeURIComponent(soql));
}

/** One query of {@link soqlChunks}: the values it names and its SOQL. */
export interface SoqlChunk<T> {
  values: T[];
  soql: string;
}

/**
 * Split `values` into runs of at most `maxPerQuery`, each as long as its
 * `soql(run)` encodes within `maxBytes` (default {@link MAX_ENCODED_SOQL_BYTES});
 * yields each run with its SOQL, in order. A run of one value is yielded even
 * when longer: no split makes it shorter, and Salesforce's refusal names it.
 */
export function* soqlChunks<T>(
  values: readonly T[],
  soql: (run: readonly T[]) => string,
  maxPerQuery: number,
  maxBytes = MAX_ENCODED_SOQL_BYTES,
): Generator<SoqlChunk<T>> {
  let start = 0;
  while (start < values.length) {
    const chunk = longestFitting(values, start, Math.min(maxPerQuery, values.length - start), soql, maxBytes);
    yield chunk;
    start += chunk.values.length;
  }
}

/** The longest run from `start` (at most `most` values, at least one) whose SOQL fits: a binary search, as the length grows with the run. */
function longestFitting<T>(values: readonly T[], start: number, most: number, soql: (run: readonly T[]) => string, maxBytes: number): SoqlChunk<T> {
  const at = (n: number): SoqlChunk<T> => {
    const run = values.slice(start, start + n);
    return { values: run, soql: soql(run) };
  };
  const fits = (chunk: SoqlChunk<T>) => encodedSoqlBytes(chunk.soql) <= maxBytes;
  const whole = at(most);
  if (fits(whole)) return whole;
  let best = at(1);
  if (!fits(best)) return best;
  let lo = 1;
  let hi = most - 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    const candidate = at(mid);
    if (fits(candidate)) {
      best = candidate;
      lo = mid;
    } else hi = mid - 1;
  }
  return best;
}
