/**
 * Long-running commands (`start`, `emulator`, `demo`) run until SIGINT or
 * SIGTERM, then stop cleanly. A second signal while stopping exits at once
 * (code 130) for the operator who really means it.
 */

/** Resolve with the signal's name on the first SIGINT/SIGTERM. */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(130));
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
