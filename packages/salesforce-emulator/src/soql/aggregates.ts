import type { FieldFunctionExpression } from '@jetstreamapp/soql-parser-js';
import type { ObjectDef, SchemaLookup, SfValue, StoredRecord } from '../ports.js';
import { malformed, unsupported } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { resolvePath } from './field-path.js';
import type { ResolvedPath } from './field-path.js';
import { compareComparable, kindOf, toComparable } from './values.js';

/** An aggregate column of a query without GROUP BY: one value over all matches. */
export interface AggregateColumn {
  /** `expr0`, `expr1`… or the alias. */
  readonly name: string;
  readonly compute: (records: StoredRecord[], ctx: EvalContext) => SfValue;
}

const NUMERIC_ONLY = new Set(['SUM', 'AVG']);

/**
 * Compile `COUNT(Id)`, `COUNT_DISTINCT(f)`, `MIN/MAX/SUM/AVG(f)`; `index` numbers
 * unaliased columns `exprN` as Salesforce does.
 */
export function compileAggregate(
  fn: FieldFunctionExpression,
  index: number,
  scope: { schema: SchemaLookup; object: ObjectDef; alias: string | undefined },
): AggregateColumn {
  const name = fn.alias ?? `expr${index}`;
  const fnName = fn.functionName.toUpperCase();
  const param = fn.parameters[0];
  if (typeof param !== 'string' || fn.parameters.length !== 1) {
    throw unsupported(`The aggregate expression ${fn.rawValue ?? fnName}`);
  }
  const path = resolvePath(scope.schema, scope.object, param, scope.alias);
  const kind = kindOf(path.leaf.type);
  if (NUMERIC_ONLY.has(fnName) && kind !== 'number') {
    throw malformed(`Invalid aggregate function: ${fnName}(${path.path}) needs a numeric field`);
  }
  return { name, compute: aggregateFunction(fnName, path, kind) };
}

function aggregateFunction(fnName: string, path: ResolvedPath, kind: ReturnType<typeof kindOf>): (records: StoredRecord[], ctx: EvalContext) => SfValue {
  const values = (records: StoredRecord[], ctx: EvalContext): SfValue[] => records.map((r) => path.get(r, ctx)).filter((v) => v !== null);
  switch (fnName) {
    case 'COUNT':
      return (records, ctx) => values(records, ctx).length;
    case 'COUNT_DISTINCT':
      return (records, ctx) => new Set(values(records, ctx).map((v) => toComparable(kind, v))).size;
    case 'SUM':
    case 'AVG':
      return (records, ctx) => {
        const nums = values(records, ctx).map(Number);
        if (nums.length === 0) return null;
        const sum = nums.reduce((a, b) => a + b, 0);
        return fnName === 'SUM' ? sum : sum / nums.length;
      };
    case 'MIN':
    case 'MAX':
      return (records, ctx) => extreme(values(records, ctx), kind, fnName === 'MIN' ? -1 : 1);
    default:
      throw unsupported(`The aggregate function ${fnName}`);
  }
}

function extreme(values: SfValue[], kind: ReturnType<typeof kindOf>, sign: number): SfValue {
  let best: SfValue = null;
  for (const v of values) {
    const c = toComparable(kind, v);
    const b = toComparable(kind, best);
    if (c !== null && (b === null || compareComparable(c, b) * sign > 0)) best = v;
  }
  return best;
}
