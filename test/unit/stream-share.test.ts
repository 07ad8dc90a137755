/** A process's fair share of streaming subscriptions: take up to it, hand back one at a time above it. */
import { describe, expect, it } from 'vitest';
import { StreamShare } from '../../src/engine/stream-share.js';

describe('StreamShare', () => {
  it('has no limit before the engines are known', () => {
    const share = new StreamShare();
    for (const id of ['1', '2', '3']) share.took(id);
    expect(share.mayTake()).toBe(true);
  });

  it('takes up to ceil(connections / engines)', () => {
    const share = new StreamShare();
    share.update(5, 2);
    for (const id of ['1', '2']) share.took(id);
    expect(share.mayTake()).toBe(true);
    share.took('3');
    expect(share.mayTake()).toBe(false);
  });

  it('hands back only the excess, one subscription per call', () => {
    const share = new StreamShare();
    for (const id of ['1', '2', '3']) share.took(id);
    share.update(3, 3);
    expect(['1', '2', '3'].filter((id) => share.mustYield(id))).toEqual(['1', '2']);
    expect(share.size).toBe(1);
    expect(share.mustYield('3')).toBe(false);
    expect(share.mayTake()).toBe(false);
  });
});
