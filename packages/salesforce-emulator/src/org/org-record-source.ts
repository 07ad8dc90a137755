/**
 * The org's RecordSource: what the SOQL engine, REST reads and streaming see —
 * committed (visible) records only — plus formula evaluation on read
 * (formulas are never stored, so they never move SystemModstamp).
 */
import type { FieldDef, ModstampRange, RecordSource, SfValue, StoredRecord } from '../ports.js';
import { compileFormula, type Formula } from './formula.js';
import { normalizeId } from './ids.js';
import type { RecordStore } from './record-store.js';
import type { Schema } from './schema.js';

const NUMBER_TYPES = new Set(['int', 'long', 'double', 'currency', 'percent']);

/** RecordSource over a RecordStore. */
export class OrgRecordSource implements RecordSource {
  private readonly formulas = new Map<FieldDef, Formula | null>();

  constructor(
    private readonly schema: Schema,
    private readonly store: RecordStore,
  ) {}

  scan(object: string, options: { includeDeleted: boolean; modstamp?: ModstampRange; order?: 'asc' | 'desc' }): Iterable<StoredRecord> {
    const name = this.schema.getObject(object)?.name ?? object;
    return this.store.scan(name, options.includeDeleted, options.modstamp, options.order ?? 'asc');
  }

  get(id: string): StoredRecord | undefined {
    const normalized = normalizeId(id);
    return normalized === undefined ? undefined : this.store.visible(normalized);
  }

  formula(record: StoredRecord, field: FieldDef): SfValue {
    let compiled = this.formulas.get(field);
    if (compiled === undefined) {
      try {
        compiled = field.calculatedFormula === null ? null : compileFormula(field.calculatedFormula);
      } catch {
        compiled = null; // A broken formula reads as null rather than failing every query.
      }
      this.formulas.set(field, compiled);
    }
    if (compiled === null) return null;
    try {
      return castResult(
        field,
        compiled((path) => this.resolvePath(record, path), new Date()),
      );
    } catch {
      return null;
    }
  }

  /** Resolve `Field` or `Rel.Field` (any depth) from a record; formula fields of the target are computed. */
  private resolvePath(record: StoredRecord, path: string): SfValue {
    const parts = path.split('.');
    let current: StoredRecord | undefined = record;
    for (let i = 0; i < parts.length - 1 && current !== undefined; i++) {
      const object = this.schema.getObject(current.object);
      const rel = object === undefined ? undefined : this.schema.getRelationship(object, parts[i] ?? '');
      const target: SfValue | undefined = rel === undefined ? undefined : current.values[rel.name];
      current = typeof target === 'string' ? this.get(target) : undefined;
    }
    if (current === undefined) return null;
    const object = this.schema.getObject(current.object);
    const field = object === undefined ? undefined : this.schema.getField(object, parts[parts.length - 1] ?? '');
    if (field === undefined) return null;
    return field.calculated ? this.formula(current, field) : (current.values[field.name] ?? null);
  }
}

function castResult(field: FieldDef, value: SfValue): SfValue {
  if (value === null) return null;
  if (NUMBER_TYPES.has(field.type)) {
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(n) ? n : null;
  }
  if (field.type === 'boolean') return value === true;
  if (typeof value !== 'string') return String(value);
  return value === '' ? null : value;
}
