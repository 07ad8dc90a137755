/**
 * Per-connection limit on Salesforce write calls in flight, shared by every
 * push of this process (several mappings of one org share the org's
 * concurrent-request budget; config.push.concurrency, default 4).
 */

type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

const limiters = new Map<string, { max: number; limiter: Limiter }>();

/** The limiter of a connection (created on first use with `max` slots). */
export function connectionLimiter(connectionId: string, max: number): Limiter {
  const existing = limiters.get(connectionId);
  if (existing && existing.max === max) return existing.limiter;
  let active = 0;
  const queue: Array<() => void> = [];
  const limiter: Limiter = async (fn) => {
    if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
  limiters.set(connectionId, { max, limiter });
  return limiter;
}
