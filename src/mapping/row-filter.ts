/**
 * A mapping's row filter (`sfsync map --filter`, `mappings.row_filter`): a
 * SOQL WHERE expression over the object's own fields. It is spliced into
 * every poll, load and reconcile query (inbound/window-bounds.ts `windowSoql`),
 * so it is never taken as text: it is parsed with soql-parser-js as the WHERE
 * of `SELECT Id FROM <object>`, refused when it carries anything else (a
 * LIMIT, an ORDER BY, a sub-query, an unbalanced quote or parenthesis that
 * would break out of the `AND (…)` it is put in), and re-rendered from the
 * parse tree. The re-rendered text is what is stored and used.
 */
import {
  composeQuery,
  parseQuery,
  type Condition,
  type ConditionWithValueQuery,
  type FunctionExp,
  type Query,
  type WhereClause,
} from '@jetstreamapp/soql-parser-js';
import { SfsyncError } from '../errors.js';
import type { DescribedObject } from '../salesforce/salesforce-client.js';

/** The longest filter accepted (Salesforce's whole query may be 100,000 characters; a sync filter is a line or two). */
export const ROW_FILTER_MAX = 4000;

/** Clauses a parsed `SELECT Id FROM X WHERE …` may have: anything else came from the filter. */
const ALLOWED_KEYS = new Set(['fields', 'sObject', 'where']);

/** A checked filter: the text to store and use, and the field paths it reads. */
export interface RowFilter {
  /** The filter re-rendered from its parse tree, e.g. `Industry = 'Tech' AND (NumberOfEmployees > 5)`. */
  soql: string;
  /** Field paths it reads, as written (`Industry`, `Owner.Name`). */
  fields: string[];
}

/** A refused filter: `reason` is what is wrong (without the fix), for messages that quote it. */
export class RowFilterError extends SfsyncError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super('MAPPING_FILTER_INVALID', message);
  }
}

/**
 * Parse and re-render `text` as the row filter of `sobject`; with `described`,
 * also check every field it reads. Throws RowFilterError (MAPPING_FILTER_INVALID)
 * with one line naming the fix.
 */
export function parseRowFilter(text: string, sobject: string, described?: DescribedObject): RowFilter {
  const fail = (why: string, fix: string): never => {
    throw new RowFilterError(why, `The row filter ${JSON.stringify(text.length > 90 ? `${text.slice(0, 90)}…` : text)} of ${sobject} ${why}; ${fix}`);
  };
  if (text.trim() === '') fail('is empty', 'omit --filter to sync every record.');
  if (text.length > ROW_FILTER_MAX) fail(`is longer than ${ROW_FILTER_MAX} characters`, 'shorten it.');
  const prefix = `SELECT Id FROM ${sobject} WHERE `;
  let query: Query;
  try {
    query = parseQuery(prefix + text);
  } catch (error) {
    return fail(
      `is not a SOQL WHERE expression (${(error as Error).message.split('\n')[0]!.replace(/ at offset: \d+.*$/, '')})`,
      "write it as it would follow WHERE, e.g. Industry = 'Tech'.",
    );
  }
  const extra = Object.keys(query).filter((k) => !ALLOWED_KEYS.has(k));
  if (extra.length > 0) fail(`carries a ${extra.join(', ')} clause`, 'a filter is only the condition that follows WHERE.');
  if (!query.where) fail('has no condition', "write it as it would follow WHERE, e.g. Industry = 'Tech'.");
  const fields: string[] = [];
  walkWhere(query.where!, (condition) => {
    if ('valueQuery' in condition) fail('contains a sub-query', "filter on the object's own fields (e.g. AccountId = '001…') instead.");
    if ('field' in condition) fields.push(condition.field);
    if ('fn' in condition) fields.push(...functionFields(condition.fn));
  });
  if (described) for (const field of fields) checkField(described, field, fail);
  const rendered = composeQuery({ sObject: sobject, fields: [{ type: 'Field', field: 'Id' }], where: query.where });
  if (!rendered.startsWith(prefix)) fail('could not be re-rendered', 'simplify it.');
  return { soql: rendered.slice(prefix.length), fields };
}

function walkWhere(where: WhereClause, visit: (condition: ConditionWithValueQuery) => void): void {
  if (where.left && !isNegation(where.left)) visit(where.left);
  if ('right' in where && where.right) walkWhere(where.right, visit);
}

function isNegation(condition: ConditionWithValueQuery | Condition): boolean {
  return !('field' in condition) && !('fn' in condition) && !('valueQuery' in condition);
}

/** The field names a function reads: `CALENDAR_YEAR(CreatedDate)` → CreatedDate. */
function functionFields(fn: FunctionExp): string[] {
  return (fn.parameters ?? []).flatMap((p) => (typeof p === 'string' ? (/^[A-Za-z][A-Za-z0-9_.]*$/.test(p) ? [p] : []) : functionFields(p)));
}

/** A field of the object, or a parent's field through a relationship (`Owner.Name`: the first step must be a relationship). */
function checkField(described: DescribedObject, path: string, fail: (why: string, fix: string) => never): void {
  const [first, ...rest] = path.split('.');
  const lower = first!.toLowerCase();
  const known =
    rest.length === 0
      ? described.fields.some((f) => f.name.toLowerCase() === lower)
      : described.fields.some((f) => f.relationshipName?.toLowerCase() === lower);
  if (!known) fail(`reads ${path}, which ${described.name} does not have`, `use a field API name of ${described.name} (check the spelling).`);
}
