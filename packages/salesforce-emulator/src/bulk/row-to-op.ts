/**
 * One ingest CSV row → one WriteOp. Empty cells are left out (ignored on
 * update/upsert; on insert the field keeps its default, as with any omitted
 * field), `#N/A` sets null, other cells are converted by field type. A cell
 * that does not convert fails only its row, with Salesforce's deserialize error.
 */
import type { WriteOp } from '../ports.js';
import type { HeaderPlan } from './csv-columns.js';
import { convertCell, isCellError, NULL_CELL } from './csv-values.js';
import type { IngestSpec } from './ingest-spec.js';

/** A row that never reached the org: its failedResults `sf__Error` and Id. */
export interface RowError {
  error: string;
  id: string;
}

/** Build the write for one row, or the row's error. */
export function rowToOp(spec: IngestSpec, plan: HeaderPlan, row: string[]): WriteOp | RowError {
  const id = plan.idIndex >= 0 ? (row[plan.idIndex] ?? '') : '';
  if (row.length !== plan.columns.length) {
    return { id, error: `INVALID_FIELD:The row has ${row.length} columns but the header has ${plan.columns.length}:--` };
  }
  const object = spec.object.name;
  switch (spec.operation) {
    case 'delete':
    case 'hardDelete':
      return id === '' ? missingId(spec.operation) : { kind: spec.operation, id };
    case 'update': {
      if (id === '') return missingId('update');
      const values = rowValues(plan, row, plan.idIndex);
      return isRowError(values) ? { ...values, id } : { kind: 'update', object, id, values };
    }
    case 'upsert': {
      const values = rowValues(plan, row, -1);
      const externalIdField = spec.externalIdFieldName ?? 'Id';
      return isRowError(values) ? { ...values, id } : { kind: 'upsert', object, externalIdField, values };
    }
    case 'insert': {
      const values = rowValues(plan, row, -1);
      return isRowError(values) ? values : { kind: 'create', object, values };
    }
  }
}

/** True when `rowToOp` (or a value step) produced an error. */
export function isRowError(value: unknown): value is RowError {
  return typeof value === 'object' && value !== null && 'error' in value;
}

function missingId(operation: string): RowError {
  return { id: '', error: `MISSING_ARGUMENT:Id not specified in an ${operation} call:Id --` };
}

function rowValues(plan: HeaderPlan, row: string[], skipIndex: number): Record<string, unknown> | RowError {
  const values: Record<string, unknown> = {};
  for (let i = 0; i < plan.columns.length; i++) {
    const cell = row[i];
    const column = plan.columns[i];
    if (i === skipIndex || cell === undefined || cell === '' || column === undefined) continue;
    if (column.kind === 'relationship') {
      if (cell === NULL_CELL) values[column.lookup.name] = null;
      else values[column.relationshipName] = { [column.parentField.name]: cell };
      continue;
    }
    if (cell === NULL_CELL) {
      values[column.field.name] = null;
      continue;
    }
    const value = convertCell(column.field.type, cell);
    if (isCellError(value)) {
      return {
        id: '',
        error: `INVALID_FIELD:Failed to deserialize field at col ${i + 1}. Due to, '${cell}' is not a valid value for the type ${value.xsdType}:${column.field.name} --`,
      };
    }
    values[column.field.name] = value;
  }
  return values;
}
