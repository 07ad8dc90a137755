/**
 * A tiny formula language for calculated fields and automation rules:
 * field references (`Name`, `Account.Name`), string/number/boolean literals,
 * `&` and `+` concatenation, `+ - * /`, comparisons (`= != <> < <= > >=`),
 * and the functions NOW(), TODAY(), IF(c,a,b), ISBLANK(x), BLANKVALUE(x,y),
 * UPPER, LOWER, LEN, TEXT. Enough for demos; not Salesforce's full language.
 */
import type { SfValue } from '../ports.js';

/** Resolves a field path (`Name`, `Account.Name`) against the record being evaluated. */
export type FieldResolver = (path: string) => SfValue;

/** A compiled formula. */
export type Formula = (resolve: FieldResolver, now: Date) => SfValue;

type Node =
  | { k: 'lit'; v: SfValue }
  | { k: 'ref'; path: string }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'neg'; e: Node }
  | { k: 'call'; fn: string; args: Node[] };

const TOKEN_RE = /\s*(?:(\d+(?:\.\d+)?)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w.]*)|(<>|!=|<=|>=|==|&&|\|\||[-+*/&=<>(),]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN_RE.lastIndex = 0;
  let pos = 0;
  while (pos < text.length && text.slice(pos).trim() !== '') {
    TOKEN_RE.lastIndex = pos;
    const m = TOKEN_RE.exec(text);
    if (m === null) throw new Error(`Formula syntax error at ${pos}: ${text}`);
    // Literals keep a one-char tag so the parser can tell 'text' from identifiers.
    if (m[1] !== undefined) tokens.push(`#${m[1]}`);
    else if (m[2] !== undefined || m[3] !== undefined) tokens.push(`'${m[2] ?? m[3]}`);
    else tokens.push(m[4] ?? m[5] ?? '');
    pos = TOKEN_RE.lastIndex;
  }
  return tokens;
}

const LEVELS: string[][] = [['||'], ['&&'], ['=', '==', '!=', '<>', '<', '<=', '>', '>='], ['&', '+', '-'], ['*', '/']];

class Parser {
  private i = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): Node {
    const node = this.level(0);
    if (this.i < this.tokens.length) throw new Error(`Unexpected '${this.tokens[this.i]}' in formula`);
    return node;
  }

  private level(n: number): Node {
    const ops = LEVELS[n];
    if (ops === undefined) return this.unary();
    let left = this.level(n + 1);
    while (ops.includes(this.peek())) {
      const op = this.next();
      left = { k: 'bin', op, l: left, r: this.level(n + 1) };
    }
    return left;
  }

  private unary(): Node {
    if (this.peek() === '-') {
      this.next();
      return { k: 'neg', e: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.next();
    if (t === '(') {
      const e = this.level(0);
      this.expect(')');
      return e;
    }
    if (t.startsWith('#')) return { k: 'lit', v: Number(t.slice(1)) };
    if (t.startsWith("'")) return { k: 'lit', v: t.slice(1) };
    const upper = t.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { k: 'lit', v: upper === 'TRUE' };
    if (upper === 'NULL') return { k: 'lit', v: null };
    if (!/^[A-Za-z_]/.test(t)) throw new Error(`Unexpected '${t}' in formula`);
    if (this.peek() !== '(') return { k: 'ref', path: t };
    this.next();
    const args: Node[] = [];
    while (this.peek() !== ')') {
      args.push(this.level(0));
      if (this.peek() === ',') this.next();
      else break;
    }
    this.expect(')');
    return { k: 'call', fn: upper, args };
  }

  private peek(): string {
    return this.tokens[this.i] ?? '';
  }

  private next(): string {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new Error('Unexpected end of formula');
    return t;
  }

  private expect(t: string): void {
    if (this.next() !== t) throw new Error(`Expected '${t}' in formula`);
  }
}

/** Compile a formula; throws with a readable message on a syntax error. */
export function compileFormula(text: string): Formula {
  const ast = new Parser(tokenize(text)).parse();
  return (resolve, now) => evaluate(ast, resolve, now);
}

function evaluate(node: Node, resolve: FieldResolver, now: Date): SfValue {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'ref':
      return resolve(node.path);
    case 'neg': {
      const v = evaluate(node.e, resolve, now);
      return typeof v === 'number' ? -v : null;
    }
    case 'bin':
      return binary(node.op, evaluate(node.l, resolve, now), evaluate(node.r, resolve, now));
    case 'call':
      return call(
        node.fn,
        node.args.map((a) => () => evaluate(a, resolve, now)),
        now,
      );
  }
}

function binary(op: string, l: SfValue, r: SfValue): SfValue {
  if (op === '&') return `${l ?? ''}${r ?? ''}`;
  if (op === '&&') return l === true && r === true;
  if (op === '||') return l === true || r === true;
  if (op === '=' || op === '==') return l === r;
  if (op === '!=' || op === '<>') return l !== r;
  if (op === '+' && (typeof l === 'string' || typeof r === 'string')) return `${l ?? ''}${r ?? ''}`;
  if (l === null || r === null) return null;
  if (op === '<') return l < r;
  if (op === '<=') return l <= r;
  if (op === '>') return l > r;
  if (op === '>=') return l >= r;
  if (typeof l !== 'number' || typeof r !== 'number') return null;
  if (op === '+') return l + r;
  if (op === '-') return l - r;
  if (op === '*') return l * r;
  return r === 0 ? null : l / r;
}

function call(fn: string, args: Array<() => SfValue>, now: Date): SfValue {
  const arg = (i: number): SfValue => args[i]?.() ?? null;
  switch (fn) {
    case 'NOW':
      return now.toISOString().replace('Z', '+0000');
    case 'TODAY':
      return now.toISOString().slice(0, 10);
    case 'IF':
      return arg(0) === true ? arg(1) : arg(2);
    case 'ISBLANK':
      return arg(0) === null || arg(0) === '';
    case 'BLANKVALUE': {
      const v = arg(0);
      return v === null || v === '' ? arg(1) : v;
    }
    case 'UPPER': {
      const v = arg(0);
      return typeof v === 'string' ? v.toUpperCase() : v;
    }
    case 'LOWER': {
      const v = arg(0);
      return typeof v === 'string' ? v.toLowerCase() : v;
    }
    case 'LEN': {
      const v = arg(0);
      return typeof v === 'string' ? v.length : 0;
    }
    case 'TEXT': {
      const v = arg(0);
      return v === null ? null : String(v);
    }
    default:
      throw new Error(`Unknown formula function ${fn}()`);
  }
}
