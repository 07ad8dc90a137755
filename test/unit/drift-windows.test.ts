import { describe, expect, it } from 'vitest';
import { coalesceDriftWindows, nextDriftRun } from '../../src/inbound/drift-windows.js';

const t = (s: number) => new Date(s * 1000);
const w = (id: string, lower: number, upper: number, recordsSeen = 0) => ({ id, lower: t(lower), upper: t(upper), recordsSeen });

describe('coalesceDriftWindows', () => {
  it('merges consecutive windows and keeps gaps apart', () => {
    expect(coalesceDriftWindows([w('3', 90, 120, 4), w('1', 0, 30, 1), w('2', 30, 60, 2)])).toEqual([
      { lower: t(0), upper: t(60), windowIds: ['1', '2'], recordsSeen: 3 },
      { lower: t(90), upper: t(120), windowIds: ['3'], recordsSeen: 4 },
    ]);
  });
  it('returns nothing for no windows', () => {
    expect(coalesceDriftWindows([])).toEqual([]);
  });
});

describe('nextDriftRun', () => {
  it('waits one drift delay after the last re-poll', () => {
    expect(nextDriftRun(t(10), 5000, 600_000)).toEqual(t(605));
    expect(nextDriftRun(t(700), 5000, 600_000)).toEqual(t(700));
  });
});
