import { unsupported } from './errors.js';

/** A half-open UTC interval `[startMs, endMs)`. */
export interface MsRange {
  startMs: number;
  endMs: number;
}

/** UTC midnight of `now`'s day, plus `days`. */
function day(now: Date, days = 0): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days);
}

/** First day of the month `months` after `now`'s (UTC). */
function month(now: Date, months = 0): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1);
}

/** First day of the quarter `quarters` after `now`'s (UTC). */
function quarter(now: Date, quarters = 0): number {
  const first = Math.floor(now.getUTCMonth() / 3) * 3;
  return Date.UTC(now.getUTCFullYear(), first + quarters * 3, 1);
}

function year(now: Date, years = 0): number {
  return Date.UTC(now.getUTCFullYear() + years, 0, 1);
}

/** Sunday (weeks start on Sunday, as in the en_US locale) of the week `weeks` after `now`'s. */
function week(now: Date, weeks = 0): number {
  return day(now, -now.getUTCDay() + weeks * 7);
}

const FIXED: Readonly<Record<string, (now: Date) => MsRange>> = {
  YESTERDAY: (n) => ({ startMs: day(n, -1), endMs: day(n) }),
  TODAY: (n) => ({ startMs: day(n), endMs: day(n, 1) }),
  TOMORROW: (n) => ({ startMs: day(n, 1), endMs: day(n, 2) }),
  LAST_WEEK: (n) => ({ startMs: week(n, -1), endMs: week(n) }),
  THIS_WEEK: (n) => ({ startMs: week(n), endMs: week(n, 1) }),
  NEXT_WEEK: (n) => ({ startMs: week(n, 1), endMs: week(n, 2) }),
  LAST_MONTH: (n) => ({ startMs: month(n, -1), endMs: month(n) }),
  THIS_MONTH: (n) => ({ startMs: month(n), endMs: month(n, 1) }),
  NEXT_MONTH: (n) => ({ startMs: month(n, 1), endMs: month(n, 2) }),
  LAST_90_DAYS: (n) => ({ startMs: day(n, -90), endMs: day(n, 1) }),
  NEXT_90_DAYS: (n) => ({ startMs: day(n, 1), endMs: day(n, 91) }),
  LAST_QUARTER: (n) => ({ startMs: quarter(n, -1), endMs: quarter(n) }),
  THIS_QUARTER: (n) => ({ startMs: quarter(n), endMs: quarter(n, 1) }),
  NEXT_QUARTER: (n) => ({ startMs: quarter(n, 1), endMs: quarter(n, 2) }),
  LAST_YEAR: (n) => ({ startMs: year(n, -1), endMs: year(n) }),
  THIS_YEAR: (n) => ({ startMs: year(n), endMs: year(n, 1) }),
  NEXT_YEAR: (n) => ({ startMs: year(n, 1), endMs: year(n, 2) }),
};

const WITH_N: Readonly<Record<string, (now: Date, n: number) => MsRange>> = {
  // LAST_N_DAYS:n includes today and the n days before it.
  LAST_N_DAYS: (d, n) => ({ startMs: day(d, -n), endMs: day(d, 1) }),
  // NEXT_N_DAYS:n starts tomorrow.
  NEXT_N_DAYS: (d, n) => ({ startMs: day(d, 1), endMs: day(d, n + 1) }),
  N_DAYS_AGO: (d, n) => ({ startMs: day(d, -n), endMs: day(d, -n + 1) }),
  LAST_N_WEEKS: (d, n) => ({ startMs: week(d, -n), endMs: week(d) }),
  NEXT_N_WEEKS: (d, n) => ({ startMs: week(d, 1), endMs: week(d, n + 1) }),
  N_WEEKS_AGO: (d, n) => ({ startMs: week(d, -n), endMs: week(d, -n + 1) }),
  LAST_N_MONTHS: (d, n) => ({ startMs: month(d, -n), endMs: month(d) }),
  NEXT_N_MONTHS: (d, n) => ({ startMs: month(d, 1), endMs: month(d, n + 1) }),
  N_MONTHS_AGO: (d, n) => ({ startMs: month(d, -n), endMs: month(d, -n + 1) }),
  LAST_N_QUARTERS: (d, n) => ({ startMs: quarter(d, -n), endMs: quarter(d) }),
  NEXT_N_QUARTERS: (d, n) => ({ startMs: quarter(d, 1), endMs: quarter(d, n + 1) }),
  N_QUARTERS_AGO: (d, n) => ({ startMs: quarter(d, -n), endMs: quarter(d, -n + 1) }),
  LAST_N_YEARS: (d, n) => ({ startMs: year(d, -n), endMs: year(d) }),
  NEXT_N_YEARS: (d, n) => ({ startMs: year(d, 1), endMs: year(d, n + 1) }),
  N_YEARS_AGO: (d, n) => ({ startMs: year(d, -n), endMs: year(d, -n + 1) }),
};

/**
 * A resolver for a SOQL date literal (`TODAY`, `LAST_N_DAYS:7`, …), computed in
 * UTC against the execution clock. Fiscal literals are unsupported (MALFORMED_QUERY).
 */
export function dateLiteralResolver(literal: string): (now: Date) => MsRange {
  const [rawName, rawN] = literal.toUpperCase().split(':');
  const name = rawName ?? '';
  if (rawN === undefined) {
    const fixed = FIXED[name];
    if (fixed !== undefined) return fixed;
  } else {
    const withN = WITH_N[name];
    const n = Number(rawN);
    if (withN !== undefined && Number.isInteger(n) && n >= 0) return (now) => withN(now, n);
  }
  throw unsupported(`The date literal ${literal}`);
}
