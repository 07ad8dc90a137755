/**
 * sfsync's one error type: a stable `code` for scripts and tests, and a message
 * that is a full sentence naming the fix. The CLI prints `message` on one line
 * and exits non-zero; the `cause` keeps the original error for logs.
 *
 * @example
 * throw new SfsyncError('DB_UNREACHABLE', `Cannot connect to ${url}: check DATABASE_URL.`, { cause });
 */
export class SfsyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SfsyncError';
  }
}

/** True for an `SfsyncError`, optionally with the given code. */
export function isSfsyncError(error: unknown, code?: string): error is SfsyncError {
  return error instanceof SfsyncError && (code === undefined || error.code === code);
}
