/**
 * Resolving an ingest CSV header against the schema. Header names are field
 * API names, case-insensitive; a parent may be referenced by external id as
 * `Account.Ext_Id__c` (`RelationshipName.IndexedField`). An unknown name fails
 * the whole job, as Salesforce does: `InvalidBatch : Field name not found : Foo`;
 * so does a parent field that is neither an External ID nor idLookup (the
 * message is Salesforce's REST wording for that case; its Bulk 2.0 wording is unverified).
 */
import type { FieldDef, ObjectDef, SchemaLookup } from '../ports.js';
import type { IngestOperation } from './ingest-spec.js';

/** A plain field column. */
export interface FieldColumn {
  kind: 'field';
  field: FieldDef;
}

/** A parent referenced by one of its external-id (idLookup) fields. */
export interface RelationshipColumn {
  kind: 'relationship';
  /** The lookup field on the loaded object, e.g. AccountId (set to null by `#N/A`). */
  lookup: FieldDef;
  /** Canonical relationship name, e.g. `Account`. */
  relationshipName: string;
  /** The parent's field, canonical, e.g. `Ext_Id__c`. */
  parentField: FieldDef;
}

/** How one CSV column is applied. */
export type ColumnPlan = FieldColumn | RelationshipColumn;

/** The resolved header of one ingest upload. */
export interface HeaderPlan {
  columns: ColumnPlan[];
  /** Index of the `Id` column, or -1. */
  idIndex: number;
  /** Index of the upsert external-id column, or -1. */
  externalIdIndex: number;
}

/** Thrown when the header cannot be used; `message` is the job's `errorMessage`. */
export class HeaderError extends Error {
  override readonly name = 'HeaderError';
}

/** Resolve every header cell; throws HeaderError on the first problem. */
export function planHeader(
  schema: SchemaLookup,
  object: ObjectDef,
  header: string[],
  operation: IngestOperation,
  externalIdField: string | undefined,
): HeaderPlan {
  const seen = new Set<string>();
  const columns = header.map((name) => {
    const column = planColumn(schema, object, name);
    const key = columnKey(column);
    if (seen.has(key)) throw new HeaderError(`InvalidBatch : Duplicate field name found : ${name}`);
    seen.add(key);
    return column;
  });
  const indexOf = (fieldName: string): number => columns.findIndex((c) => c.kind === 'field' && c.field.name.toLowerCase() === fieldName.toLowerCase());
  const idIndex = indexOf('Id');
  const externalIdIndex = externalIdField === undefined ? -1 : indexOf(externalIdField);
  const required = operation === 'insert' ? undefined : operation === 'upsert' ? externalIdField : 'Id';
  if (required !== undefined && indexOf(required) < 0) {
    throw new HeaderError(`InvalidBatch : Field name not found : ${required} (the ${operation} operation needs this column)`);
  }
  return { columns, idIndex, externalIdIndex };
}

function planColumn(schema: SchemaLookup, object: ObjectDef, name: string): ColumnPlan {
  const dot = name.indexOf('.');
  if (dot < 0) {
    const field = schema.getField(object, name);
    if (!field) throw new HeaderError(`InvalidBatch : Field name not found : ${name}`);
    return { kind: 'field', field };
  }
  const lookup = schema.getRelationship(object, name.slice(0, dot));
  const parentName = lookup?.referenceTo[0];
  const parent = parentName === undefined ? undefined : schema.getObject(parentName);
  const parentField = parent && schema.getField(parent, name.slice(dot + 1));
  if (!lookup || !parent || !parentField) throw new HeaderError(`InvalidBatch : Field name not found : ${name}`);
  if (!(parentField.idLookup || parentField.externalId)) {
    throw new HeaderError(`InvalidBatch : Field name provided, ${parentField.name} is not an External ID or indexed field for ${parent.name}`);
  }
  return { kind: 'relationship', lookup, relationshipName: lookup.relationshipName ?? lookup.name, parentField };
}

function columnKey(column: ColumnPlan): string {
  return column.kind === 'field' ? column.field.name.toLowerCase() : column.lookup.name.toLowerCase();
}
