import type { StoredRecord } from '../ports.js';
import type { EvalContext } from './eval-context.js';
import { followHop } from './field-path.js';
import type { ShapeNode } from './shape-tree.js';

/** `attributes` of a REST record. */
export function attributes(record: StoredRecord, apiVersion: string): { type: string; url: string } {
  return { type: record.object, url: `/services/data/v${apiVersion}/sobjects/${record.object}/${record.id}` };
}

/**
 * One REST row: `attributes`, then the selected fields in SELECT order, parents
 * nested as objects with their own `attributes`, an empty lookup as `null`.
 */
export function shapeRow(record: StoredRecord, node: ShapeNode, ctx: EvalContext, apiVersion: string): Record<string, unknown> {
  const row: Record<string, unknown> = { attributes: attributes(record, apiVersion) };
  for (const entry of node.entries) {
    if (entry.kind === 'field') {
      row[entry.name] = entry.read(record, ctx);
    } else if (entry.kind === 'children') {
      row[entry.name] = entry.subquery.read(record, ctx, apiVersion);
    } else {
      const parent = followHop(record, entry.hop, ctx);
      row[entry.name] = parent === undefined ? null : shapeRow(parent, entry.node, ctx, apiVersion);
    }
  }
  return row;
}
