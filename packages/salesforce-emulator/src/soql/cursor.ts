import type { QueryCursor, SfValue, StoredRecord } from '../ports.js';
import type { EvalContext } from './eval-context.js';
import type { ResolvedPath } from './field-path.js';
import { shapeRow } from './shape-row.js';
import type { ShapeNode } from './shape-tree.js';

/** What a record cursor needs to shape its rows on demand. */
export interface RecordRows {
  readonly object: string;
  readonly columns: string[];
  readonly paths: ResolvedPath[];
  readonly shape: ShapeNode;
  readonly records: StoredRecord[];
  readonly ctx: EvalContext;
  readonly apiVersion: string;
  readonly childRelationships?: string[];
}

/**
 * A cursor over matched record references; rows are shaped only when taken,
 * so a page of 2000 out of a million matches costs 2000 shapes.
 */
export function recordCursor(rows: RecordRows): QueryCursor {
  let position = 0;
  const next = (n: number): StoredRecord[] => {
    const slice = rows.records.slice(position, position + Math.max(0, n));
    position += slice.length;
    return slice;
  };
  return {
    object: rows.object,
    totalSize: rows.records.length,
    isCount: false,
    columns: rows.columns,
    childRelationships: rows.childRelationships ?? [],
    get remaining() {
      return rows.records.length - position;
    },
    take: (n) => next(n).map((r) => shapeRow(r, rows.shape, rows.ctx, rows.apiVersion)),
    takeFlat: (n) => next(n).map((r) => rows.paths.map((p) => p.get(r, rows.ctx))),
  };
}

/** The cursor of `SELECT COUNT() …`: no rows, `totalSize` is the count. */
export function countCursor(object: string, count: number): QueryCursor {
  return {
    object,
    totalSize: count,
    isCount: true,
    columns: [],
    remaining: 0,
    take: () => [],
    takeFlat: () => [],
  };
}

/** The cursor of an aggregate query without GROUP BY: one `AggregateResult` row. */
export function aggregateCursor(object: string, columns: string[], values: SfValue[]): QueryCursor {
  let taken = false;
  const row = (): Record<string, unknown> => {
    const out: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    columns.forEach((c, i) => (out[c] = values[i] ?? null));
    return out;
  };
  const takeOne = <T>(n: number, make: () => T): T[] => {
    if (taken || n <= 0) return [];
    taken = true;
    return [make()];
  };
  return {
    object,
    totalSize: 1,
    isCount: false,
    columns,
    get remaining() {
      return taken ? 0 : 1;
    },
    take: (n) => takeOne(n, row),
    takeFlat: (n) => takeOne(n, () => values.slice()),
  };
}
