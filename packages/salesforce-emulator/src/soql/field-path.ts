import type { FieldDef, ObjectDef, SchemaLookup, SfValue, StoredRecord } from '../ports.js';
import { noSuchColumn, noSuchRelationship, unsupported } from './errors.js';
import type { EvalContext, Getter } from './eval-context.js';

/** One parent step of a field path, e.g. `Account` (via `AccountId`) on Contact. */
export interface Hop {
  /** The reference field, e.g. `AccountId`. */
  readonly field: FieldDef;
  /** Canonical relationship name, e.g. `Account`. */
  readonly name: string;
  /** Objects the reference may point to (more than one when polymorphic, e.g. `What`). */
  readonly targets: ObjectDef[];
}

/** A dotted field path resolved against the schema, with canonical names. */
export interface ResolvedPath {
  /** Canonical path, e.g. `Account.Owner.Name`. */
  readonly path: string;
  readonly hops: Hop[];
  /** The leaf field (for a polymorphic last hop: as defined on the first target). */
  readonly leaf: FieldDef;
  /** The leaf per target object name, for a polymorphic last hop. */
  readonly leafByObject: ReadonlyMap<string, FieldDef> | undefined;
  /** Reads the value, following parents through the record source. */
  readonly get: Getter;
}

/**
 * Resolve `Name`, `Account.Name`, `Account.Owner.Name` (case-insensitive) on `object`.
 * A leading `alias.` (the FROM alias) is dropped. Throws INVALID_FIELD for unknown names.
 */
export function resolvePath(schema: SchemaLookup, object: ObjectDef, raw: string, alias?: string): ResolvedPath {
  const segments = raw.split('.');
  if (alias !== undefined && segments.length > 1 && segments[0]?.toLowerCase() === alias.toLowerCase()) {
    segments.shift();
  }
  const leafName = segments.pop() ?? '';
  const hops: Hop[] = [];
  let current = object;
  for (const [i, segment] of segments.entries()) {
    const hop = resolveHop(schema, current, segment);
    hops.push(hop);
    const first = hop.targets[0];
    if (first === undefined) throw noSuchRelationship(segment);
    if (hop.targets.length > 1 && i < segments.length - 1) {
      throw unsupported(`Traversing past the polymorphic relationship '${hop.name}'`);
    }
    current = first;
  }
  const last = hops[hops.length - 1];
  const leafByObject = last !== undefined && last.targets.length > 1 ? polymorphicLeaf(schema, last, leafName) : undefined;
  const leaf = schema.getField(current, leafName);
  if (leaf === undefined) throw noSuchColumn(raw, object.name);
  const path = [...hops.map((h) => h.name), leaf.name].join('.');
  return { path, hops, leaf, leafByObject, get: pathGetter(hops, leaf, leafByObject) };
}

function resolveHop(schema: SchemaLookup, object: ObjectDef, name: string): Hop {
  const field = schema.getRelationship(object, name);
  if (field === undefined || field.relationshipName === null) throw noSuchRelationship(name);
  const targets = field.referenceTo.map((t) => schema.getObject(t)).filter((t): t is ObjectDef => t !== undefined);
  if (targets.length === 0) throw noSuchRelationship(name);
  return { field, name: field.relationshipName, targets };
}

function polymorphicLeaf(schema: SchemaLookup, hop: Hop, leafName: string): Map<string, FieldDef> {
  const byObject = new Map<string, FieldDef>();
  for (const target of hop.targets) {
    const def = schema.getField(target, leafName);
    if (def === undefined) throw noSuchColumn(`${hop.name}.${leafName}`, target.name);
    byObject.set(target.name, def);
  }
  return byObject;
}

/** The parent record a hop points to, or undefined (empty lookup, no source, missing parent). */
export function followHop(record: StoredRecord, hop: Hop, ctx: EvalContext): StoredRecord | undefined {
  const id = record.values[hop.field.name];
  if (typeof id !== 'string' || ctx.source === undefined) return undefined;
  return ctx.source.get(id);
}

/** Read one field of `record` (formula fields through the source). */
export function readField(record: StoredRecord, field: FieldDef, ctx: EvalContext): SfValue {
  if (field.calculated) return ctx.source === undefined ? null : ctx.source.formula(record, field);
  return record.values[field.name] ?? null;
}

/** A getter for a leaf on the record a getter is called with (polymorphic-aware). */
export function leafReader(leaf: FieldDef, leafByObject: ReadonlyMap<string, FieldDef> | undefined): Getter {
  if (leafByObject === undefined) return (record, ctx) => readField(record, leaf, ctx);
  return (record, ctx) => {
    const def = leafByObject.get(record.object);
    return def === undefined ? null : readField(record, def, ctx);
  };
}

function pathGetter(hops: Hop[], leaf: FieldDef, leafByObject: ReadonlyMap<string, FieldDef> | undefined): Getter {
  const readLeaf = leafReader(leaf, leafByObject);
  if (hops.length === 0) return readLeaf;
  return (record, ctx) => {
    let current: StoredRecord | undefined = record;
    for (const hop of hops) {
      current = followHop(current, hop, ctx);
      if (current === undefined) return null;
    }
    return readLeaf(current, ctx);
  };
}
