/**
 * A tiny in-memory SchemaLookup + RecordSource for the SOQL engine's unit
 * tests (the real org lives in src/org/). `scanCalls` and
 * `recordsRead` let tests assert that an index range is used.
 */
import type { FieldDef, FieldType, ModstampRange, ObjectDef, RecordSource, SchemaLookup, SfRecord, SfValue, StoredRecord } from '../src/ports.js';

export function field(name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef {
  return {
    name,
    label: name,
    type,
    length: 0,
    precision: 0,
    scale: 0,
    nillable: true,
    createable: true,
    updateable: true,
    unique: false,
    externalId: false,
    idLookup: name === 'Id',
    calculated: false,
    calculatedFormula: null,
    defaultedOnCreate: false,
    defaultValue: null,
    referenceTo: [],
    relationshipName: null,
    picklistValues: [],
    restrictedPicklist: false,
    compoundFieldName: null,
    custom: name.endsWith('__c'),
    ...extra,
  };
}

function ref(name: string, to: string[], relationshipName: string): FieldDef {
  return field(name, 'reference', { referenceTo: to, relationshipName });
}

function object(name: string, keyPrefix: string, fields: FieldDef[]): ObjectDef {
  const common = [field('Id', 'id'), field('IsDeleted', 'boolean'), field('SystemModstamp', 'datetime'), field('CreatedDate', 'datetime')];
  return {
    name,
    label: name,
    labelPlural: `${name}s`,
    keyPrefix,
    custom: false,
    cdcEnabled: false,
    isPlatformEvent: false,
    fields: [...common, ...fields],
    validationRules: [],
  };
}

export const OBJECTS: ObjectDef[] = [
  object('User', '005', [field('Name', 'string'), field('Email', 'email')]),
  object('Account', '001', [
    field('Name', 'string'),
    field('AnnualRevenue', 'currency'),
    field('NumberOfEmployees', 'int'),
    field('Industry', 'picklist'),
    field('Tags__c', 'multipicklist'),
    field('Founded__c', 'date'),
    field('Active__c', 'boolean'),
    field('Description', 'textarea'),
    field('Double_Revenue__c', 'double', { calculated: true, calculatedFormula: 'AnnualRevenue * 2' }),
    ref('OwnerId', ['User'], 'Owner'),
    ref('ParentId', ['Account'], 'Parent'),
  ]),
  object('Contact', '003', [field('LastName', 'string'), field('Birthdate', 'date'), ref('AccountId', ['Account'], 'Account')]),
  object('Lead', '00Q', [field('Name', 'string')]),
  object('Task', '00T', [field('Subject', 'string'), ref('WhoId', ['Contact', 'Lead'], 'Who')]),
  { ...object('Alert__e', 'e00', [field('Text__c', 'string')]), isPlatformEvent: true },
];

export const schema: SchemaLookup = {
  getObject: (name) => OBJECTS.find((o) => o.name.toLowerCase() === name.toLowerCase()),
  getField: (o, name) => o.fields.find((f) => f.name.toLowerCase() === name.toLowerCase()),
  getRelationship: (o, name) => o.fields.find((f) => f.relationshipName?.toLowerCase() === name.toLowerCase()),
  listObjects: () => OBJECTS,
};

/** An 18-character-looking Id: prefix + zero-padded counter + `AAA`. */
export function makeId(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(12, '0')}AAA`;
}

export class FakeSource implements RecordSource {
  readonly records = new Map<string, StoredRecord>();
  scanCalls: Array<{ object: string; modstamp?: ModstampRange; order?: 'asc' | 'desc' }> = [];
  recordsRead = 0;
  private readonly byStamp = new Map<string, StoredRecord[]>();

  add(objectName: string, id: string, values: SfRecord, opts: { stampMs?: number; deleted?: boolean } = {}): StoredRecord {
    const stampMs = opts.stampMs ?? Date.parse('2024-01-01T00:00:00Z');
    const full: SfRecord = {
      Id: id,
      IsDeleted: opts.deleted ?? false,
      SystemModstamp: new Date(stampMs).toISOString().replace('Z', '+0000'),
      ...values,
    };
    const record: StoredRecord = { object: objectName, id, values: full, systemModstampMs: stampMs, isDeleted: opts.deleted ?? false };
    this.records.set(id, record);
    this.byStamp.delete(objectName);
    return record;
  }

  *scan(objectName: string, options: { includeDeleted: boolean; modstamp?: ModstampRange; order?: 'asc' | 'desc' }): Iterable<StoredRecord> {
    this.scanCalls.push({
      object: objectName,
      ...(options.modstamp ? { modstamp: options.modstamp } : {}),
      ...(options.order ? { order: options.order } : {}),
    });
    const all = [...this.records.values()].filter((r) => r.object === objectName);
    if (options.modstamp === undefined) {
      for (const r of all) {
        this.recordsRead++;
        if (options.includeDeleted || !r.isDeleted) yield r;
      }
      return;
    }
    yield* this.rangeScan(objectName, all, options.modstamp, options.order ?? 'asc', options.includeDeleted);
  }

  /** Binary-search the sorted index, then walk only the range (counting reads). */
  private *rangeScan(objectName: string, all: StoredRecord[], m: ModstampRange, order: 'asc' | 'desc', includeDeleted: boolean): Iterable<StoredRecord> {
    let sorted = this.byStamp.get(objectName);
    if (sorted === undefined) {
      sorted = all.sort((a, b) => a.systemModstampMs - b.systemModstampMs);
      this.byStamp.set(objectName, sorted);
    }
    const lo = Math.max(m.gte ?? -Infinity, m.gt === undefined ? -Infinity : m.gt + 1);
    const hi = Math.min(m.lte ?? Infinity, m.lt === undefined ? Infinity : m.lt - 1);
    const first = lowerBound(sorted, lo);
    const last = lowerBound(sorted, hi + 1) - 1;
    const indexes = order === 'asc' ? range(first, last) : range(last, first, -1);
    for (const i of indexes) {
      const r = sorted[i] as StoredRecord;
      this.recordsRead++;
      if (includeDeleted || !r.isDeleted) yield r;
    }
  }

  get(id: string): StoredRecord | undefined {
    if (id.length === 15) return [...this.records.values()].find((r) => r.id.startsWith(id));
    return this.records.get(id);
  }

  formula(record: StoredRecord, def: FieldDef): SfValue {
    if (def.name !== 'Double_Revenue__c') return null;
    const revenue = record.values['AnnualRevenue'];
    return typeof revenue === 'number' ? revenue * 2 : null;
  }
}

function lowerBound(sorted: StoredRecord[], ms: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as StoredRecord).systemModstampMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function* range(from: number, to: number, step = 1): Iterable<number> {
  for (let i = from; step > 0 ? i <= to : i >= to; i += step) yield i;
}
