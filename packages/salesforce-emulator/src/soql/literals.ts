import type { LiteralType } from '@jetstreamapp/soql-parser-js';
import { dateLiteralResolver } from './date-literals.js';
import type { MsRange } from './date-literals.js';
import { malformed, unsupported, wrongValueType } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { memoized } from './eval-context.js';
import { unquote } from './string-literal.js';
import { dateFromMs, datetimeFromMs } from './values.js';
import type { Comparable, ValueKind } from './values.js';

/** A resolved date-literal interval `[lo, hi)` in the field's comparable form, with its epoch ms. */
export interface ComparableRange extends MsRange {
  lo: Comparable;
  hi: Comparable;
}

/** The right-hand side of a condition: one value (null included) or a date-literal interval. */
export type Operand =
  { readonly kind: 'value'; readonly value: Comparable | null } | { readonly kind: 'range'; readonly resolve: (ctx: EvalContext) => ComparableRange };

const TYPE_NAMES: Readonly<Record<ValueKind, string>> = {
  id: 'id',
  text: 'string',
  number: 'double',
  boolean: 'boolean',
  date: 'date',
  datetime: 'dateTime',
  time: 'time',
  compound: 'compound',
};

/**
 * Convert one literal from the parser to an operand for a field of `kind`,
 * rejecting type mismatches as Salesforce does (INVALID_FIELD).
 */
export function literalOperand(kind: ValueKind, path: string, raw: string, type: LiteralType | undefined): Operand {
  if (type === 'NULL') return { kind: 'value', value: null };
  if (kind === 'time' || kind === 'compound') throw unsupported(`Filtering on the ${TYPE_NAMES[kind]} field '${path}'`);
  const mismatch = (): Error => wrongValueType(path, TYPE_NAMES[kind], kind === 'text' || kind === 'id');
  switch (kind) {
    case 'text':
    case 'id':
      if (type !== 'STRING') throw mismatch();
      return value(kind === 'id' ? unquote(raw).slice(0, 15) : unquote(raw).toLowerCase());
    case 'number':
      return value(numberLiteral(raw, type, mismatch));
    case 'boolean':
      if (type !== 'BOOLEAN') throw mismatch();
      return value(raw.toUpperCase() === 'TRUE');
    case 'date':
    case 'datetime':
      return temporalOperand(kind, raw, type, mismatch);
  }
}

function value(v: Comparable): Operand {
  return { kind: 'value', value: v };
}

function numberLiteral(raw: string, type: LiteralType | undefined, mismatch: () => Error): number {
  if (type === 'INTEGER' || type === 'DECIMAL') return Number(raw);
  if (type === 'INTEGER_WITH_CURRENCY_PREFIX' || type === 'DECIMAL_WITH_CURRENCY_PREFIX') {
    // `USD5000`: the ISO code is dropped; the emulator models a single-currency org.
    return Number(raw.replace(/^[A-Za-z]{3}/, ''));
  }
  throw mismatch();
}

function temporalOperand(kind: 'date' | 'datetime', raw: string, type: LiteralType | undefined, mismatch: () => Error): Operand {
  if (type === 'DATE_LITERAL' || type === 'DATE_N_LITERAL') return rangeOperand(kind, dateLiteralResolver(raw));
  if (kind === 'date' && type === 'DATE') return value(parseDate(raw));
  if (kind === 'datetime' && type === 'DATETIME') return value(datetimeFromMs(parseDatetimeMs(raw)));
  throw mismatch();
}

function rangeOperand(kind: 'date' | 'datetime', resolver: (now: Date) => MsRange): Operand {
  const format = kind === 'date' ? dateFromMs : datetimeFromMs;
  const key = {};
  const resolve = (ctx: EvalContext): ComparableRange =>
    memoized(ctx, key, () => {
      const r = resolver(ctx.now);
      return { ...r, lo: format(r.startMs), hi: format(r.endMs) };
    });
  return { kind: 'range', resolve };
}

/** A `YYYY-MM-DD` literal, validated (no 2024-02-30). */
export function parseDate(raw: string): string {
  const ms = Date.parse(`${raw}T00:00:00Z`);
  if (Number.isNaN(ms) || dateFromMs(ms) !== raw) throw malformed(`Invalid date: ${raw}`);
  return raw;
}

/** A datetime literal (`2024-01-02T03:04:05Z`, `.123Z`, `+01:00`) as epoch ms, validated (no 2024-02-30T…). */
export function parseDatetimeMs(raw: string): number {
  const ms = Date.parse(raw);
  const datePart = raw.slice(0, 10);
  const dayMs = Date.parse(`${datePart}T00:00:00Z`);
  if (Number.isNaN(ms) || Number.isNaN(dayMs) || dateFromMs(dayMs) !== datePart) throw malformed(`Invalid datetime: ${raw}`);
  return ms;
}
