/**
 * The suite's one table: each figure beside its baseline and its floor as
 * ratios (value ÷ baseline, value ÷ floor), whether the goal on one of
 * those ratios (the floor's unless it says baseline) is met, and, given an earlier run, the change since then.
 */
import type { Figure } from './figures.js';

/** What `--json` writes and `--compare` reads. */
export interface SuiteRun {
  /** ISO time the run started. */
  startedAt: string;
  /** The command line, for reproducing it. */
  command: string;
  machine: string;
  figures: Figure[];
}

/** value ÷ other; NaN when either is missing or the divisor is 0. */
export function ratio(value: number, other: number | undefined): number {
  return other === undefined || other === 0 || !Number.isFinite(other) ? Number.NaN : value / other;
}

/** Whether the figure meets its goal: `undefined` when it has none (or no floor). */
export function goalMet(figure: Figure): boolean | undefined {
  const against = figure.goal?.against === 'baseline' ? figure.baseline : figure.floor;
  if (figure.goal === undefined || against === undefined) return undefined;
  const r = ratio(figure.value, against.value);
  if (Number.isNaN(r)) return undefined;
  if (figure.goal.atMost !== undefined && r > figure.goal.atMost) return false;
  if (figure.goal.atLeast !== undefined && r < figure.goal.atLeast) return false;
  return true;
}

/** The key a figure is matched by across runs. */
export function figureKey(figure: Pick<Figure, 'part' | 'name' | 'profile'>): string {
  return `${figure.part} / ${figure.name} / ${figure.profile}`;
}

/** Change of each figure since `old` (new ÷ old, and whether that is better or worse by more than `noise`, default 10 %). */
export function compareRuns(current: Figure[], old: Figure[], noise = 0.1): Map<string, { ratio: number; verdict: 'better' | 'worse' | 'same' }> {
  const before = new Map(old.map((f) => [figureKey(f), f]));
  const out = new Map<string, { ratio: number; verdict: 'better' | 'worse' | 'same' }>();
  for (const f of current) {
    const o = before.get(figureKey(f));
    if (o === undefined) continue;
    const r = ratio(f.value, o.value);
    if (Number.isNaN(r)) continue;
    const improved = f.better === 'lower' ? r < 1 - noise : r > 1 + noise;
    const regressed = f.better === 'lower' ? r > 1 + noise : r < 1 - noise;
    out.set(figureKey(f), { ratio: r, verdict: improved ? 'better' : regressed ? 'worse' : 'same' });
  }
  return out;
}

/** A number at a width-friendly precision: 3 significant digits below 100, integers above, thousands separated. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function formatRatio(r: number): string {
  return Number.isNaN(r) ? '' : `${formatNumber(r)}×`;
}

function formatGoal(figure: Figure): string {
  const g = figure.goal;
  if (g === undefined) return '';
  const parts = [g.atMost !== undefined ? `≤ ${g.atMost}×` : '', g.atLeast !== undefined ? `≥ ${g.atLeast}×` : ''].filter((s) => s !== '');
  if (g.against === 'baseline') parts.push('of baseline');
  const met = goalMet(figure);
  return `${parts.join(' ')} ${met === undefined ? '' : met ? 'met' : 'NOT met'}`.trim();
}

/** The table as text: one row per figure, then the baseline and floor labels as numbered notes. */
export function formatTable(run: Pick<SuiteRun, 'figures' | 'machine'>, old?: Figure[]): string {
  const changes = old === undefined ? undefined : compareRuns(run.figures, old);
  const notes: string[] = [];
  const note = (text: string): string => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return `[${i + 1}]`;
  };
  const header = ['part', 'figure', 'profile', 'value', 'unit', 'baseline', '÷ baseline', 'floor', '÷ floor', 'goal', ...(changes ? ['÷ old'] : [])];
  const rows = run.figures.map((f) => {
    const change = changes?.get(figureKey(f));
    return [
      f.part,
      f.name,
      f.profile,
      formatNumber(f.value),
      f.unit,
      f.baseline ? `${formatNumber(f.baseline.value)} ${note(f.baseline.label)}` : '',
      formatRatio(ratio(f.value, f.baseline?.value)),
      f.floor ? `${formatNumber(f.floor.value)} ${note(f.floor.label)}` : '',
      formatRatio(ratio(f.value, f.floor?.value)),
      formatGoal(f),
      ...(changes ? [change ? `${formatRatio(change.ratio)} ${change.verdict === 'same' ? '' : change.verdict}`.trim() : 'new'] : []),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([3, 5, 6, 7, 8]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', ...notes.map((n, i) => `[${i + 1}] ${n}`), '', run.machine].join('\n');
}
