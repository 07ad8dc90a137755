/**
 * A small seeded PRNG (mulberry32) and the few draws the workload needs, so a
 * run's choices (which op, which record, which value, when a fault fires) are
 * the same for the same seed. Timing still varies between runs, so outcomes
 * may differ; the sequence of intentions does not.
 */

/** A seeded random source. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element (undefined for an empty list). */
  pick<T>(items: readonly T[]): T | undefined;
  /** One element of a non-empty `[weight, item]` list, chosen in proportion to its weight. */
  weighted<T>(items: ReadonlyArray<readonly [number, T]>): T;
  /** Up to `n` distinct elements. */
  sample<T>(items: readonly T[], n: number): T[];
  /** A new independent stream derived from this one (one per workload loop). */
  fork(label: number): Rng;
}

/** mulberry32: 32-bit state, good enough for workloads, tiny and reproducible. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => (items.length === 0 ? undefined : items[Math.floor(next() * items.length)]),
    weighted(items) {
      let roll = next() * items.reduce((sum, [w]) => sum + w, 0);
      return (items.find(([w]) => (roll -= w) < 0) ?? items[0]!)[1];
    },
    sample(items, n) {
      const copy = [...items];
      const out: typeof copy = [];
      while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(next() * copy.length), 1)[0]!);
      return out;
    },
    fork: (label) => createRng((Math.imul(seed ^ 0x9e3779b9, 31) + Math.imul(label, 0x85ebca6b)) >>> 0),
  };
  return rng;
}
