/**
 * SOQL literals: values are escaped, never spliced raw (docs/architecture.md, "Trust"). Salesforce
 * string literals take backslash escapes; datetime literals are unquoted.
 */

const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A quoted SOQL string literal: `O'Brien` → `'O\'Brien'`. */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => STRING_ESCAPES[c] ?? c)}'`;
}

/**
 * A SOQL datetime literal in UTC. Whole seconds print as `2024-01-02T03:04:05Z`
 * (the form every Salesforce version accepts); sub-second values keep their
 * milliseconds (`…05.123Z`) — jsforce's SfDate drops them, we never do.
 */
export function soqlDateTime(value: Date): string {
  const iso = value.toISOString();
  return value.getUTCMilliseconds() === 0 ? iso.replace('.000Z', 'Z') : iso;
}

/** A comma-separated list of quoted strings for `IN (…)`. */
export function soqlStringList(values: readonly string[]): string {
  return values.map(soqlString).join(', ');
}
