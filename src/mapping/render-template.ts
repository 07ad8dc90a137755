/**
 * Render a SQL template from sql/templates/: `{{name}}` placeholders are
 * replaced by values the caller has ALREADY quoted (identifiers through
 * pg's escapeIdentifier, literals through escapeLiteral) — the renderer never
 * quotes, so nothing raw can slip in unnoticed: an unknown or missing
 * placeholder throws. Comment lines are dropped; the result is split into
 * statements at `;` line ends outside dollar quotes (a function body's own
 * `;` line ends stay in it), so a plan can print them one by one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TEMPLATES_DIR } from '../paths.js';

const cache = new Map<string, string>();

function load(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(TEMPLATES_DIR, `${name}.sql`), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Render `sql/templates/<name>.sql` into statements (no trailing `;`). */
export function renderTemplate(name: string, values: Record<string, string>): string[] {
  const body = load(name)
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  const used = new Set<string>();
  const rendered = body.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`Template ${name}.sql needs {{${key}}}.`);
    used.add(key);
    return value;
  });
  for (const key of Object.keys(values)) if (!used.has(key)) throw new Error(`Template ${name}.sql has no {{${key}}}.`);
  return splitStatements(rendered);
}

/** Split at `;` + line end, except inside `$tag$ … $tag$` bodies. */
function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const part of sql.split(/(;\s*\n)/)) {
    current += part;
    if (!/^;\s*\n$/.test(part)) {
      for (const tag of part.match(/\$\w*\$/g) ?? []) quote = quote === undefined ? tag : quote === tag ? undefined : quote;
      continue;
    }
    if (quote !== undefined) continue;
    out.push(current);
    current = '';
  }
  out.push(current);
  return out.map((s) => s.trim().replace(/;$/, '')).filter((s) => s !== '');
}
