/**
 * How a verdict is printed: the offenders (first ten, each with both sides'
 * local id, sfid, tag and SystemModstamp, so they can be looked up in psql and
 * the emulator), failed changes by error code, the faults fired, the maximum
 * outbox backlog, and the one last line scripts can grep:
 *
 *   soak: N ops, K kills, converged in S s: 0 lost, 0 dup, 0 mismatch, 0 unsent
 *
 * (`did not converge in S s` when it did not).
 */
import type { EmulatorRecord } from './emulator-control.js';
import type { Offender, OracleReport } from './oracle.js';
import { TABLES } from './record-pool.js';
import type { PgRow } from './snapshot.js';

/** How many offenders are printed. */
export const OFFENDERS_SHOWN = 10;

/** One line per offender (the first `limit`). */
export function offenderLines(report: OracleReport, limit = OFFENDERS_SHOWN): string[] {
  // Record-level offenders first: they carry ids; outbox rows follow.
  const sorted = [...report.offenders].sort((a, b) => Number(a.pg.length + a.sf.length === 0) - Number(b.pg.length + b.sf.length === 0));
  return sorted.slice(0, limit).map(describeOffender);
}

/** `lost Account soak-1-sf-a12: missing in Postgres | pg: … | sf: …` */
export function describeOffender(o: Offender): string {
  const pg = o.pg.map(pgRowText).join('; ') || '-';
  const sf = o.sf.map((r) => sfRecordText(o.object, r)).join('; ') || '-';
  return `${o.kind} ${o.object} ${o.tag}: ${o.detail} | pg: ${pg} | sf: ${sf}`;
}

function pgRowText(r: PgRow): string {
  return `id ${r.id} sfid ${r.sfid ?? 'null'} SystemModstamp ${r.systemmodstamp ?? 'null'} ${JSON.stringify(r.values)}`;
}

function sfRecordText(object: Offender['object'], r: EmulatorRecord): string {
  const name = r[TABLES[object]?.tagField ?? 'Name'];
  return `${r.Id} ${String(name)}${r.IsDeleted ? ' (deleted)' : ''} CreatedDate ${String(r.CreatedDate)} SystemModstamp ${r.SystemModstamp}`;
}

/** `ENTITY_IS_DELETED 3 rightful; UNKNOWN_EXCEPTION 1 wrong` or `none`. */
export function failedText(report: OracleReport): string {
  const parts = [...report.failedByCode].map(
    ([code, c]) => `${code} ${[c.rightful ? `${c.rightful} rightful` : '', c.wrong ? `${c.wrong} wrong` : ''].filter(Boolean).join(', ')}`,
  );
  return parts.join('; ') || 'none';
}

/** The last line. */
export function lastLine(ops: number, kills: number, converged: boolean, seconds: number, r: OracleReport): string {
  const how = converged ? 'converged in' : 'did not converge in';
  return `soak: ${ops} ops, ${kills} kills, ${how} ${Math.round(seconds)} s: ${r.lost} lost, ${r.dup} dup, ${r.mismatch} mismatch, ${r.unsent} unsent`;
}
