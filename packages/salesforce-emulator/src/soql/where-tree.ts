import type { ConditionWithValueQuery, WhereClause } from '@jetstreamapp/soql-parser-js';
import { malformed } from './errors.js';

/** A WHERE clause as a boolean tree (the parser returns a flat chain with parenthesis counts). */
export type WhereNode =
  | { readonly type: 'and' | 'or'; readonly children: WhereNode[] }
  | { readonly type: 'not'; readonly child: WhereNode }
  | { readonly type: 'leaf'; readonly condition: ConditionWithValueQuery };

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { condition: ConditionWithValueQuery };

/**
 * Rebuild the boolean tree of a parsed WHERE. As in Salesforce, NOT binds to
 * the next condition or parenthesized group, and AND and OR cannot be mixed
 * at one level without parentheses (MALFORMED_QUERY).
 */
export function buildWhereTree(where: WhereClause): WhereNode {
  const tokens = flatten(where);
  const state = { tokens, pos: 0 };
  const node = parseExpression(state);
  if (state.pos !== tokens.length) throw malformed('unexpected token in WHERE clause: unbalanced parentheses');
  return node;
}

function flatten(where: WhereClause): Token[] {
  const tokens: Token[] = [];
  let clause: WhereClause | undefined = where;
  while (clause !== undefined) {
    const left = clause.left as (ConditionWithValueQuery & { openParen?: number; closeParen?: number }) | null;
    const operator = 'operator' in clause ? clause.operator.toUpperCase() : undefined;
    const open = left?.openParen ?? 0;
    for (let i = 0; i < open; i++) tokens.push('(');
    if (operator === 'NOT') {
      tokens.push('NOT');
    } else {
      if (left === null || !('operator' in left)) throw malformed('unexpected token in WHERE clause');
      tokens.push({ condition: left });
      for (let i = 0; i < (left.closeParen ?? 0); i++) tokens.push(')');
      if (operator === 'AND' || operator === 'OR') tokens.push(operator);
    }
    clause = 'right' in clause ? clause.right : undefined;
  }
  return tokens;
}

interface State {
  tokens: Token[];
  pos: number;
}

function parseExpression(state: State): WhereNode {
  const children = [parseUnary(state)];
  let op: 'AND' | 'OR' | undefined;
  for (;;) {
    const token = state.tokens[state.pos];
    if (token !== 'AND' && token !== 'OR') break;
    if (op !== undefined && op !== token) {
      throw malformed("unexpected token: '" + token + "'. Use parentheses when mixing AND and OR in a WHERE clause.");
    }
    op = token;
    state.pos++;
    children.push(parseUnary(state));
  }
  if (op === undefined) return children[0] as WhereNode;
  return { type: op === 'AND' ? 'and' : 'or', children };
}

function parseUnary(state: State): WhereNode {
  const token = state.tokens[state.pos++];
  if (token === 'NOT') return { type: 'not', child: parseUnary(state) };
  if (token === '(') {
    const inner = parseExpression(state);
    if (state.tokens[state.pos++] !== ')') throw malformed("unexpected token in WHERE clause: missing ')'");
    return inner;
  }
  if (token === undefined || typeof token === 'string') throw malformed('unexpected token in WHERE clause');
  return { type: 'leaf', condition: token.condition };
}
