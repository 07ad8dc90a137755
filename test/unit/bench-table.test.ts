import { describe, expect, it } from 'vitest';
import { compareRuns, formatNumber, formatTable, goalMet, ratio } from '../../bench/bench-table.js';
import type { Figure } from '../../bench/figures.js';

const push: Figure = {
  part: 'push-latency',
  name: 'COMMIT → Salesforce p50',
  profile: 'real',
  value: 180,
  unit: 'ms',
  better: 'lower',
  baseline: { label: 'Heroku Connect, documented best case', value: 10_000 },
  floor: { label: 'one Collections round trip (p50)', value: 160 },
  goal: { atMost: 1.2 },
};
const throughput: Figure = {
  part: 'push-throughput',
  name: 'Collections',
  profile: 'real',
  value: 3000,
  unit: 'records/s',
  better: 'higher',
  floor: { label: 'concurrency × 200 / round trip', value: 4000 },
  goal: { atLeast: 0.8 },
};

describe('bench table', () => {
  it('judges the goal on value ÷ floor, either way', () => {
    expect(ratio(180, 160)).toBeCloseTo(1.125);
    expect(goalMet(push)).toBe(true);
    expect(goalMet({ ...push, value: 200 })).toBe(false);
    expect(goalMet(throughput)).toBe(false);
    expect(goalMet({ ...throughput, value: 3200 })).toBe(true);
    expect(goalMet({ ...push, floor: undefined })).toBeUndefined();
    expect(ratio(1, 0)).toBeNaN();
    const capture: Figure = {
      ...push,
      value: 20,
      baseline: { label: 'HC', value: 50 },
      floor: { label: 'bare', value: 10 },
      goal: { atMost: 0.5, against: 'baseline' },
    };
    expect(goalMet(capture)).toBe(true);
    expect(goalMet({ ...capture, value: 30 })).toBe(false);
  });

  it('compares runs by part, figure and profile, in the figure’s better direction', () => {
    const changes = compareRuns(
      [push, throughput, { ...push, profile: 'none', value: 5 }],
      [
        { ...push, value: 240 },
        { ...throughput, value: 2990 },
      ],
    );
    expect(changes.get('push-latency / COMMIT → Salesforce p50 / real')).toEqual({ ratio: 0.75, verdict: 'better' });
    expect(changes.get('push-throughput / Collections / real')?.verdict).toBe('same');
    expect(changes.has('push-latency / COMMIT → Salesforce p50 / none')).toBe(false);
    expect(compareRuns([{ ...throughput, value: 2000 }], [throughput]).get('push-throughput / Collections / real')?.verdict).toBe('worse');
  });

  it('prints one row per figure with both ratios, the goal verdict and numbered labels', () => {
    const text = formatTable({ figures: [push, throughput], machine: 'cpu: test' }, [{ ...push, value: 360 }]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^part +figure +profile +value +unit +baseline +÷ baseline +floor +÷ floor +goal +÷ old$/);
    expect(lines[2]).toContain('180  ms');
    expect(lines[2]).toContain('10,000 [1]');
    expect(lines[2]).toContain('0.018×');
    expect(lines[2]).toContain('1.13×');
    expect(lines[2]).toContain('≤ 1.2× met');
    expect(lines[2]).toMatch(/0\.50× better$/);
    expect(lines[3]).toContain('≥ 0.8× NOT met');
    expect(lines[3]).toMatch(/new$/);
    expect(text).toContain('[2] one Collections round trip (p50)');
    expect(lines.at(-1)).toBe('cpu: test');
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(Number.NaN)).toBe('—');
  });
});
