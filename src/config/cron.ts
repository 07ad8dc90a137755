/**
 * The next time a 5-field cron expression (`m h dom mon dow`, UTC; `*`,
 * numbers, lists `a,b`, ranges `a-b` and steps `*\/n`, `a-b/n`) matches —
 * enough for config.poll.reconcileCron (default `17 3 * * *`, nightly 03:17).
 */

const BOUNDS: ReadonlyArray<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

function parseField(text: string, [min, max]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part.trim());
    if (!m?.[1]) throw new Error(`Invalid cron field "${text}".`);
    const step = m[2] ? Number(m[2]) : 1;
    const [from, to] =
      m[1] === '*' ? [min, max] : m[1].includes('-') ? (m[1].split('-').map(Number) as [number, number]) : [Number(m[1]), m[2] ? max : Number(m[1])];
    if (from < min || to > max || from > to || step < 1) throw new Error(`Cron field "${text}" is out of range ${min}-${max}.`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** The first whole minute strictly after `after` that matches `expression`. */
export function nextCronTime(expression: string, after: Date): Date {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`Cron "${expression}" needs 5 fields (m h dom mon dow).`);
  const [mins, hours, doms, months, dows] = parts.map((p, i) => parseField(p, BOUNDS[i]!)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  // At most a year of minutes; every valid expression matches within that.
  for (let i = 0; i < 366 * 24 * 60; i++) {
    if (months.has(t.getUTCMonth() + 1) && doms.has(t.getUTCDate()) && dows.has(t.getUTCDay()) && hours.has(t.getUTCHours()) && mins.has(t.getUTCMinutes()))
      return t;
    t.setTime(t.getTime() + 60_000);
  }
  throw new Error(`Cron "${expression}" never matches.`);
}
