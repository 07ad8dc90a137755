/**
 * Polls and re-reads go out as REST GETs with the SOQL in the URI, which
 * Salesforce refuses past 16,384 bytes (414). Re-reads by Id split their Id
 * lists to fit (salesforce/query-chunks.ts), but a mapping whose field list
 * alone does not fit would fail every poll, forever: it is refused when
 * planned instead, with the size and the fix.
 */
import { SfsyncError } from '../errors.js';
import { encodedSoqlBytes, MAX_ENCODED_SOQL_BYTES } from '../salesforce/query-chunks.js';
import { selectFields, type FieldInfo } from './field-info.js';

/** Room left for the window's bounds and at least one Id (`SystemModstamp >= … AND SystemModstamp < … AND Id IN ('…')`, encoded: ~180 bytes). */
const WINDOW_ALLOWANCE = 400;

/** Throw MAPPING_INVALID when the mapping's poll query (fields, object, row filter) cannot fit a query URI. */
export function assertPollQueryFits(sobject: string, fields: readonly FieldInfo[], rowFilter: string | undefined): void {
  const soql = `SELECT ${selectFields(fields).join(', ')} FROM ${sobject}${rowFilter ? ` WHERE (${rowFilter})` : ''}`;
  const bytes = encodedSoqlBytes(soql) + WINDOW_ALLOWANCE;
  if (bytes > MAX_ENCODED_SOQL_BYTES) {
    throw new SfsyncError(
      'MAPPING_INVALID',
      `The ${sobject} mapping's poll query would take ${bytes.toLocaleString('en-US')} bytes of URI with ${fields.length} fields${rowFilter ? ' and its row filter' : ''}, over the ${MAX_ENCODED_SOQL_BYTES.toLocaleString('en-US')} that fit Salesforce's 16,384-byte limit; map fewer fields${rowFilter ? ' or shorten the row filter' : ''}.`,
    );
  }
}
