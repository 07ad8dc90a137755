import { malformed } from './errors.js';

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/**
 * The value of a quoted SOQL string literal as the parser returns it (`'a\'b'`).
 * Escapes: `\' \" \\ \n \r \t \b \f \uXXXX`; `\%` and `\_` are kept as typed
 * (they only mean something in LIKE). Throws MALFORMED_QUERY on a bad escape.
 */
export function unquote(raw: string): string {
  const body = stripQuotes(raw);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[i + 1] ?? '';
    i++;
    if (next === 'u' || next === 'U') {
      out += unicodeEscape(body, i, raw);
      i += 4;
    } else if (next === '%' || next === '_') {
      out += `\\${next}`;
    } else {
      const mapped = ESCAPES[next];
      if (mapped === undefined) throw malformed(`Invalid string literal ${raw}. Illegal escape sequence '\\${next}'.`);
      out += mapped;
    }
  }
  return out;
}

function unicodeEscape(body: string, at: number, raw: string): string {
  const hex = body.slice(at + 1, at + 5);
  if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw malformed(`Invalid string literal ${raw}. Illegal unicode escape.`);
  return String.fromCharCode(parseInt(hex, 16));
}

function stripQuotes(raw: string): string {
  const quote = raw[0];
  if ((quote === "'" || quote === '"') && raw.length >= 2 && raw.endsWith(quote)) return raw.slice(1, -1);
  return raw;
}

/**
 * A LIKE pattern as an anchored, case-insensitive RegExp: `%` any run, `_` one
 * character, `\%` and `\_` the literal characters, other escapes as in `unquote`.
 */
export function likePattern(raw: string): RegExp {
  const text = unquote(raw);
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    const next = text[i + 1];
    if (ch === '\\' && (next === '%' || next === '_')) {
      source += next;
      i++;
    } else if (ch === '%') {
      source += '[\\s\\S]*';
    } else if (ch === '_') {
      source += '[\\s\\S]';
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'i');
}
