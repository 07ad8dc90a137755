/**
 * One hostile input and what sfsync must do with it: refuse it with one line
 * that names the fix, a known exit code (CLI) or SQLSTATE (SQL), and leave
 * the database exactly as it was. Cases live in `cases/<area>.ts`, one array
 * per area; hostile-input.test.ts runs them all against one world.
 */

/** One bad input. Exactly one of `cli` and `sql` is set. */
export interface HostileCase {
  /** What is tried, as a reader would say it: "map --filter with an unbalanced quote". */
  name: string;
  /** Run `sfsync <cli…>` in the world's directory. `{dir}` in an argument is replaced by that directory. */
  cli?: string[];
  /** Extra environment for the CLI run (merged over the world's). */
  env?: Record<string, string>;
  /** Files written into the world's directory before the run (path relative to it → content), removed after. */
  files?: Record<string, string>;
  /** Or: a SQL statement an operator runs (psql); it must raise. */
  sql?: string;
  /** SQL run before the case (not part of what is compared), e.g. to make a stored setting hostile. */
  setupSql?: string;
  /** SQL run after the case, whatever happened, to put the world back (e.g. undo `setupSql`). */
  undoSql?: string;
  /** CLI: the expected exit code (default 1: a reported failure; 2 is a bug). */
  exit?: number;
  /** SQL: the expected SQLSTATE, e.g. '22023' (invalid_parameter_value). */
  sqlstate?: string;
  /** The one line of the failure must match this, and it should name the fix. */
  message: RegExp;
}
