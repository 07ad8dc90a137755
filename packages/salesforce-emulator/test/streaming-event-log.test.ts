import { describe, expect, it } from 'vitest';
import { EventLog } from '../src/streaming/event-log.js';

/** A log with events at replayIds 10, 20, … created at t = 0, 1000, 2000, … */
function logOf(count: number): EventLog {
  const log = new EventLog();
  for (let i = 0; i < count; i++) log.append({ replayId: (i + 1) * 10, createdMs: i * 1000, data: i });
  return log;
}

describe('EventLog', () => {
  it('finds events after a replayId by binary search', () => {
    const log = logOf(5);
    expect(log.after(20).map((e) => e.replayId)).toEqual([30, 40, 50]);
    expect(log.after(0).map((e) => e.replayId)).toEqual([10, 20, 30, 40, 50]);
    expect(log.after(50)).toEqual([]);
    expect(log.has(30)).toBe(true);
    expect(log.has(35)).toBe(false);
    expect(log.lastReplayId).toBe(50);
  });

  it('refuses a replayId that does not increase', () => {
    const log = logOf(2);
    expect(() => log.append({ replayId: 20, createdMs: 5000, data: null })).toThrow(/does not increase/);
  });

  it('prunes by age and by count, and forgets pruned ids', () => {
    const log = logOf(5);
    log.prune(4000, 2500, 100); // keeps createdMs >= 1500: events 30, 40, 50
    expect(log.all().map((e) => e.replayId)).toEqual([30, 40, 50]);
    expect(log.has(20)).toBe(false);
    log.prune(4000, 1e9, 2); // count cap
    expect(log.all().map((e) => e.replayId)).toEqual([40, 50]);
    expect(log.size).toBe(2);
  });

  it('stays correct across compaction of a long dead prefix', () => {
    const log = logOf(5000);
    log.prune(4_000_000, 1_000_500, 1e9); // keeps createdMs >= 2,999,500: the last 2,000
    expect(log.size).toBe(2000);
    expect(log.all()[0]?.replayId).toBe(30010);
    expect(log.after(49_990).map((e) => e.replayId)).toEqual([50_000]);
    log.append({ replayId: 50_010, createdMs: 5_000_000, data: null });
    expect(log.has(50_010)).toBe(true);
  });
});
