import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { Query } from '@jetstreamapp/soql-parser-js';
import { malformed, unsupported } from './errors.js';

/**
 * Parse SOQL with soql-parser-js and reject clauses the engine does not
 * evaluate, so nothing unsupported can produce a silently wrong answer.
 * Throws `SoqlError` MALFORMED_QUERY.
 */
export function parseSoql(soql: string): Query {
  let query: Query;
  try {
    query = parseQuery(soql);
  } catch (err) {
    throw malformed(describeParseError(err), err);
  }
  rejectUnsupportedClauses(query);
  return query;
}

function describeParseError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // The parser names the unexpected token; ALL ROWS is the one users meet most.
  if (/found: ROWS\b/i.test(text)) {
    return 'ALL ROWS is only valid in Apex; use the queryAll resource to include deleted rows.';
  }
  return `unexpected token in SOQL: ${text}`;
}

/** MALFORMED_QUERY for clauses the engine does not implement (also applied to child subqueries). */
export function rejectUnsupportedClauses(query: Pick<Query, 'groupBy' | 'having' | 'usingScope' | 'withDataCategory' | 'for'>): void {
  if (query.groupBy !== undefined) throw unsupported('GROUP BY');
  if (query.having !== undefined) throw unsupported('HAVING');
  if (query.usingScope !== undefined) throw unsupported('USING SCOPE');
  if (query.withDataCategory !== undefined) throw unsupported('WITH DATA CATEGORY');
  if (query.for === 'UPDATE') throw unsupported('FOR UPDATE');
  // FOR VIEW / FOR REFERENCE and UPDATE TRACKING / VIEWSTAT only touch usage
  // statistics, and WITH SECURITY_ENFORCED / USER_MODE cannot hide anything in
  // an emulator without field-level security: all are accepted as no-ops.
}
