import type { ChildSubquery } from './child-subquery.js';
import { malformed } from './errors.js';
import type { Getter } from './eval-context.js';
import { leafReader } from './field-path.js';
import type { Hop, ResolvedPath } from './field-path.js';

/** One key of a shaped row: a field of the record at this level, or a nested parent. */
export type ShapeEntry =
  | { readonly kind: 'field'; readonly name: string; readonly read: Getter }
  | { readonly kind: 'parent'; readonly name: string; readonly hop: Hop; readonly node: ShapeNode }
  | { readonly kind: 'children'; readonly name: string; readonly subquery: ChildSubquery };

/** The keys of one level of a REST row, in SELECT order. */
export interface ShapeNode {
  readonly entries: ShapeEntry[];
}

/**
 * Build the nested row layout for the selected paths, then the child
 * subqueries (after the fields: JSON key order carries no meaning for clients).
 * Duplicate fields or relationships are MALFORMED_QUERY.
 */
export function buildShapeTree(paths: ResolvedPath[], children: ChildSubquery[] = []): ShapeNode {
  const root: ShapeNode = { entries: [] };
  const seen = new Set<string>();
  for (const path of paths) {
    const key = path.path.toLowerCase();
    if (seen.has(key)) throw malformed(`duplicate field selected: ${path.path}`);
    seen.add(key);
    let node = root;
    for (const hop of path.hops) node = parentNode(node, hop);
    node.entries.push({ kind: 'field', name: path.leaf.name, read: leafReader(path.leaf, path.leafByObject) });
  }
  for (const subquery of children) {
    const key = subquery.name.toLowerCase();
    if (seen.has(key)) throw malformed(`duplicate relationship selected: ${subquery.name}`);
    seen.add(key);
    root.entries.push({ kind: 'children', name: subquery.name, subquery });
  }
  return root;
}

function parentNode(node: ShapeNode, hop: Hop): ShapeNode {
  for (const entry of node.entries) {
    if (entry.kind === 'parent' && entry.name === hop.name) return entry.node;
  }
  const child: ShapeNode = { entries: [] };
  node.entries.push({ kind: 'parent', name: hop.name, hop, node: child });
  return child;
}
