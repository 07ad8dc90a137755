/**
 * What `sfsync doctor` reports: one finding per thing it compared, each with
 * the fix when it is not as it should be.
 */

/** `ok`: as it should be; `warn`: works, but will bite; `fail`: broken now. */
export type FindingStatus = 'ok' | 'warn' | 'fail';

/** One comparison of what is installed with what should be. */
export interface Finding {
  /** Stable name of the check, e.g. `capture-trigger` (for scripts and tests). */
  check: string;
  status: FindingStatus;
  /** What it is about: `sfsync schema`, `salesforce.account`, connection `default`, … */
  subject: string;
  /** What was found, one sentence. */
  message: string;
  /** The command or setting that fixes it; absent when ok. */
  fix?: string;
}

/** A finding that is as it should be. */
export function ok(check: string, subject: string, message: string): Finding {
  return { check, status: 'ok', subject, message };
}

/** A finding that needs `fix`. */
export function problem(status: 'warn' | 'fail', check: string, subject: string, message: string, fix: string): Finding {
  return { check, status, subject, message, fix };
}

const LABEL: Record<FindingStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** One line: status, check, subject, message and the fix. */
export function formatFinding(f: Finding): string {
  const text = `${LABEL[f.status]} ${f.check.padEnd(16)} ${f.subject}: ${f.message}`;
  return f.fix ? `${text}; fix: ${f.fix}` : text;
}
