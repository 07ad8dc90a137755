/**
 * Everything a soak run starts must go away, whether it converges, fails, or
 * is interrupted: an undo stack run in reverse order (errors collected, never
 * stopping the rest), and a SIGINT/SIGTERM hook that first SIGKILLs every
 * child process synchronously (so no engine outlives us), then runs the stack.
 */
import type { ChildProcess } from 'node:child_process';

/** Undo steps, run last-in first-out by {@link CleanupStack.run}. */
export class CleanupStack {
  private readonly steps: Array<{ label: string; run: () => Promise<void> | void }> = [];
  private readonly children = new Set<ChildProcess>();
  private running: Promise<string[]> | undefined;

  /** Add an undo step. */
  push(label: string, run: () => Promise<void> | void): void {
    this.steps.push({ label, run });
  }

  /** Track a child process: SIGKILLed by {@link killChildren} (and so on a signal or at the end). */
  adopt(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  /** SIGKILL every tracked child still running (synchronous: safe in a signal or exit handler). */
  killChildren(): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  /** Kill the children, then run every step in reverse; returns the failures as lines (never throws). Idempotent. */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      this.killChildren();
      const failures: string[] = [];
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (error) {
          failures.push(`${step.label}: ${(error as Error).message}`);
        }
      }
      return failures;
    })();
    return this.running;
  }
}

/**
 * On SIGINT/SIGTERM: kill the children at once, run the stack, exit 130. Also
 * SIGKILLs children on a plain process exit. Returns a function removing the hooks.
 */
export function cleanUpOnSignal(stack: CleanupStack): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`soak: ${signal}, cleaning up\n`);
    stack.killChildren();
    void stack.run().finally(() => process.exit(130));
  };
  const onExit = () => stack.killChildren();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  };
}
