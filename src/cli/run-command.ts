/**
 * How every CLI command ends: one line on failure, a non-zero exit, never a
 * stack trace (unless SFSYNC_DEBUG is set).
 */
import { isSfsyncError } from '../errors.js';

/** Exit codes: 1 for a reported failure, 2 for a bug. */
export const EXIT_FAILURE = 1;
export const EXIT_BUG = 2;

/** Wrap a command action so failures print one line and set the exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      reportFailure(error);
    }
  };
}

/** Print one line for `error` to stderr and set `process.exitCode`. */
export function reportFailure(error: unknown): void {
  if (process.env.SFSYNC_DEBUG) console.error(error);
  if (isSfsyncError(error)) {
    console.error(`sfsync: ${error.message} [${error.code}]`);
    process.exitCode = EXIT_FAILURE;
    return;
  }
  if (isPostgresError(error)) {
    // Raised by sfsync's SQL functions (their messages name the fix) or by the
    // server (constraint, permission): one line with the SQLSTATE.
    console.error(`sfsync: ${error.message.split('\n')[0]} [SQLSTATE ${error.code}]`);
    process.exitCode = EXIT_FAILURE;
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`sfsync: unexpected error: ${message.split('\n')[0]} (set SFSYNC_DEBUG=1 for details)`);
  process.exitCode = EXIT_BUG;
}

function isPostgresError(error: unknown): error is Error & { code: string } {
  const e = error as { code?: unknown; severity?: unknown };
  return error instanceof Error && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}
